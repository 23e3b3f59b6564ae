// Placeholder source file: RuleTester lints its test cases under this name
// (typescript-eslint parses them with this directory's tsconfig).
export {};
