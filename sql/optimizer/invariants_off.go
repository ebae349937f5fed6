//go:build !ember_invariants

package optimizer

// invariantsByDefault is false in ordinary builds: only Options.CheckInvariants turns the
// checks on. Build with -tags ember_invariants to force them everywhere.
const invariantsByDefault = false
