import { describe, expect, it } from 'vitest';
import { uploadRoots } from './importJob';

describe('uploadRoots', () => {
  it('names the dropped folder once for all its files', () => {
    expect(uploadRoots([
      { rel: 'demo/system/a.log', path: '/tmp/up/x1/demo/system/a.log' },
      { rel: 'demo/celery/b.log', path: '/tmp/up/x1/demo/celery/b.log' },
    ])).toEqual(['/tmp/up/x1/demo']);
  });
  it('keeps single files as they are', () => {
    expect(uploadRoots([{ rel: 'bundle.tar.gz', path: '/tmp/up/x2/bundle.tar.gz' }])).toEqual(['/tmp/up/x2/bundle.tar.gz']);
  });
  it('falls back to the stored path when the route renamed it', () => {
    expect(uploadRoots([{ rel: 'd/a.log', path: '/tmp/up/9f' }])).toEqual(['/tmp/up/9f']);
  });
});
