// Package progtest runs Assay's programs the way a user does, for
// black-box tests: built with go build, started as processes on free
// loopback ports, stopped with SIGTERM when the test ends, their output
// shown when it failed. What to check of them is the tests' business; a
// broker for them comes from package kafkatest.
package progtest

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopWait is how long a program may take to exit after SIGTERM.
const stopWait = 20 * time.Second

// Root returns the repository's root directory.
func Root(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("progtest: cannot find the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Build compiles the packages (paths relative to the repository, such as
// "./cmd/matcher") into a temporary directory and returns it.
func Build(t testing.TB, pkgs ...string) string {
	t.Helper()
	bin := t.TempDir()
	cmd := exec.Command("go", append([]string{"build", "-o", bin + string(filepath.Separator)}, pkgs...)...)
	cmd.Dir = Root(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Run runs a program to completion and fails the test if it fails.
func Run(t testing.TB, path string, args ...string) (stdout string) {
	t.Helper()
	cmd := exec.Command(path, args...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s%s", filepath.Base(path), args, err, out.Bytes(), errs.Bytes())
	}
	return out.String()
}

// Proc is a program started for a test.
type Proc struct {
	name   string
	cmd    *exec.Cmd
	lines  chan string
	out    Buffer
	exited chan struct{}
}

// Start starts a program that is stopped with SIGTERM when the test ends
// (and killed, failing the test, if it is still running stopWait later).
func Start(t testing.TB, path string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(path, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	p := &Proc{name: filepath.Base(path), cmd: cmd, lines: make(chan string, 1024), exited: make(chan struct{})}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.out.Write(append(sc.Bytes(), '\n'))
			select {
			case p.lines <- sc.Text():
			default: // nobody is waiting for lines
			}
		}
	}()
	go func() { _ = cmd.Wait(); pw.Close(); close(p.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(stopWait):
			_ = cmd.Process.Kill()
			<-p.exited
			t.Errorf("%s did not stop within %s of SIGTERM", p.name, stopWait)
		}
		<-copied
		if t.Failed() {
			t.Logf("%s output:\n%s", p.name, p.out.String())
		}
	})
	return p
}

// Pid is the program's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Kill ends the program with SIGKILL, as a crash or the kernel's OOM
// killer does: no signal handler runs, nothing is flushed or committed. It
// returns once the process is gone, so that a program started next in its
// place cannot race it for files or ports.
func (p *Proc) Kill(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !p.Exited() {
		t.Fatalf("kill %s: %v", p.name, err)
	}
	select {
	case <-p.exited:
	case <-time.After(stopWait):
		t.Fatalf("%s still running %s after SIGKILL", p.name, stopWait)
	}
}

// Exited says whether the program has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// WaitLine waits for a line of output matching re and returns its first
// group.
func (p *Proc) WaitLine(t testing.TB, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l := <-p.lines:
			if m := re.FindStringSubmatch(l); m != nil {
				return m[1]
			}
		case <-deadline:
			t.Fatalf("%s printed no line matching %s", p.name, re)
		}
	}
}

// FreeAddrs returns n loopback addresses whose ports are free at the
// moment (FreePorts), for programs the test starts later.
func FreeAddrs(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	for _, p := range FreePorts(t, n) {
		out = append(out, net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	}
	return out
}

// FreePorts finds n consecutive loopback ports that are free now, below
// Linux's ephemeral range (32768 and up), for a listener bound later: a
// port the kernel hands out for listening on port 0 is one it may also
// give the next outgoing connection, and on a busy machine one did, before
// Kafka bound it.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	const lo, hi = 20000, 32000
	for range 100 {
		base := lo + rand.IntN(hi-lo-n)
		var lns []net.Listener
		for p := base; p < base+n; p++ {
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				break
			}
			lns = append(lns, ln)
		}
		for _, ln := range lns {
			ln.Close()
		}
		if len(lns) == n {
			ports := make([]int, n)
			for i := range ports {
				ports[i] = base + i
			}
			return ports
		}
	}
	t.Fatalf("progtest: no %d consecutive free ports in %d-%d", n, lo, hi)
	return nil
}

// WaitFor polls ok every 250 ms until it holds; after d the test fails
// with the last state ok described.
func WaitFor(t testing.TB, d time.Duration, what string, ok func() (done bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		done, state := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %s", d, what, state)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// Buffer collects output written by one goroutine while another reads it.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
