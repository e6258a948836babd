// Moved to tools/support so that tools (which must not import e2e/) share it with the tests.
export * from '../../tools/support/real-dvc';
