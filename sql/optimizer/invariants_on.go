//go:build ember_invariants

package optimizer

// invariantsByDefault turns Options.CheckInvariants on for every optimizer in builds with
// the ember_invariants tag (CI sets it).
const invariantsByDefault = true
