import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy* and waitFor wait up to 10 s, not 1 s: the suite runs on small machines shared with browser
// tests, where rendering the Material table alone can take seconds. A passing wait returns at once.
configure({ asyncUtilTimeout: 10_000 });
