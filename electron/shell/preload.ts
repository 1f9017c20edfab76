// Sandboxed preload (bundled into one CommonJS file): exposes window.casefile = { invoke, on, pathForFile } and
// nothing else. The page never gets ipcRenderer, Node or Electron objects.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('casefile', createBridge(ipcRenderer, (file) => webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0])));
