// A test's bound is 120 s, not Jest's 5 s default: the suite runs on small machines shared with builds,
// browser tests and a CPU hog, where even a fake-timer test can wait seconds for its turn. A passing test
// returns as soon as its state is there, so the bound costs nothing when all is well; tests that wait on
// real processes set their own, longer bounds.
jest.setTimeout(120_000);

export {};
