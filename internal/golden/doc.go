// Package golden reads and checks the golden files of the module's tests: the
// expected bytes under testdata/, rewritten from the test's own output when the
// test binary runs with its -update flag.
//
// Each test package declares its own -update flag and passes its value; this
// package holds no state. Want returns the expected bytes for callers that
// compare in their own way; Check compares text and reports a diff.
package golden
