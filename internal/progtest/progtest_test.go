package progtest

import (
	"net"
	"os/exec"
	"strconv"
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

// TestFreePorts: the ports are consecutive, below the ephemeral range, and
// free to listen on.
func TestFreePorts(t *testing.T) {
	ports := FreePorts(t, 3)
	for i, p := range ports {
		if p != ports[0]+i || p >= 32768 {
			t.Fatalf("ports %v: want 3 consecutive ones below 32768", ports)
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
	}
	for _, a := range FreeAddrs(t, 2) {
		host, port, _ := net.SplitHostPort(a)
		if p, err := strconv.Atoi(port); host != "127.0.0.1" || err != nil || p >= 32768 {
			t.Errorf("address %s: want a loopback port below 32768", a)
		}
	}
}
