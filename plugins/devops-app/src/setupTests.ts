import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy* and waitFor wait up to 30 s, not testing-library's 1 s: the suite runs on small machines
// shared with builds and browser tests, where rendering the Material table alone can take seconds.
// A passing wait returns as soon as its state is there, so the bound costs nothing when all is well.
configure({ asyncUtilTimeout: 30_000 });
// Each test may hold a few such waits in a row: its own bound is generous in the same way.
jest.setTimeout(120_000);
