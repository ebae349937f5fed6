package tpch

import (
	"fmt"
	"os/exec"
	"strings"
)

// GitCommit names the checked-out commit and, when the working tree differs from it, how
// (the engine measured may hold uncommitted changes), for the benchmark reports. It is empty
// outside a git checkout.
func GitCommit() string {
	head, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(head))
	st, err := exec.Command("git", "status", "--porcelain").Output()
	if err != nil {
		return c
	}
	var changed []string
	for _, line := range strings.Split(strings.TrimRight(string(st), "\n"), "\n") {
		if len(line) > 3 {
			changed = append(changed, line[3:])
		}
	}
	if len(changed) == 0 {
		return c
	}
	shown := changed[:min(len(changed), 6)]
	more := ""
	if len(changed) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(changed)-len(shown))
	}
	return fmt.Sprintf("%s with uncommitted changes (%s%s)", c, strings.Join(shown, ", "), more)
}
