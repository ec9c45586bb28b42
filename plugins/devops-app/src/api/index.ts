export * from './DevopsAppApi';
export * from './DevopsAppClient';
export * from './DriftApi';
