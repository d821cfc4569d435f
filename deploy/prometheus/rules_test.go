// Package prometheus holds Assay's Prometheus rules (alerts.yml) and their
// tests: promtool's unit tests of every alert (alerts_test.yml), and an end
// to end run in which a real Prometheus scrapes the real programs and
// must raise InfringementSpike for the one brand under attack.
package prometheus

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// tool finds a Prometheus binary. It is skipped with the reason when
// missing, except in CI, where .ci/run installs Debian's prometheus
// package and a missing binary is a broken setup.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		msg := name + " is not installed (Debian: apt-get install prometheus); skipping"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

func TestRules(t *testing.T) {
	promtool := tool(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", "alerts.yml"},
		{"test", "rules", "alerts_test.yml", "alerts_long_test.yml"},
	} {
		t.Run(args[0]+" "+args[1], func(t *testing.T) {
			out, err := exec.Command(promtool, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("promtool %v: %v\n%s", args, err, out)
			}
			if !bytes.Contains(out, []byte("SUCCESS")) {
				t.Fatalf("promtool %v did not report success:\n%s", args, out)
			}
		})
	}
}
