// What correlation does during an import (issue 4): identifier extraction per file, chains after the import.
import type { CaseDb } from '../store/db';

export async function afterFileImported(_db: CaseDb, _fileId: number): Promise<void> {}
export async function afterImportFinished(_db: CaseDb): Promise<void> {}
