// What correlation does during an import (issue 4): identifier extraction per batch of files, chains after the import.
import type { CaseDb } from '../store/db';

export async function afterBatchImported(_db: CaseDb, _fileIds: number[]): Promise<void> {}
export async function afterImportFinished(_db: CaseDb): Promise<void> {}
