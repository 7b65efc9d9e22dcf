// Package golden reads the golden files of the provider packages' tests: the
// expected bytes under testdata/, rewritten from the test's own output when the
// test binary runs with its -update flag.
//
// Each test package declares its own -update flag and passes its value; this
// package holds no state. Comparing and reporting stay with the caller.
package golden
