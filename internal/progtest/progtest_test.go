package progtest

import (
	"os/exec"
	"testing"
)

func TestKill(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep program")
	}
	p := Start(t, sleep, "60")
	if p.Exited() {
		t.Fatal("sleep exited at once")
	}
	p.Kill(t)
	if !p.Exited() {
		t.Fatal("Kill returned before the process ended")
	}
	p.Kill(t) // a second kill of a dead process is not an error
}
