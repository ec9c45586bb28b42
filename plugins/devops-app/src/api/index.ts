export * from './DevopsAppApi';
export * from './DevopsAppClient';
