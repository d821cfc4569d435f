package fetch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// dnsServer is a small authoritative DNS server on 127.0.0.1 (UDP) for the
// rebinding tests: each name answers its A queries from a sequence of
// addresses, the last one repeating, as a rebinding attacker's server does
// (a public address first, an internal one for every query after). AAAA
// queries get an empty answer. Unknown names are NXDOMAIN.
type dnsServer struct {
	conn net.PacketConn

	mu      sync.Mutex
	answers map[string][]netip.Addr // lower-case FQDN → A answers in turn
	queries map[string]int          // lower-case FQDN → A queries seen
}

func startDNS(t *testing.T, answers map[string][]string) *dnsServer {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &dnsServer{conn: conn, answers: map[string][]netip.Addr{}, queries: map[string]int{}}
	for name, addrs := range answers {
		for _, a := range addrs {
			s.answers[strings.ToLower(name)+"."] = append(s.answers[strings.ToLower(name)+"."], netip.MustParseAddr(a))
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.serve(t)
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return s
}

// resolver is a pure-Go resolver that sends every query to s, over real
// UDP packets, whatever /etc/resolv.conf says.
func (s *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp4", s.conn.LocalAddr().String())
		},
	}
}

// queriesFor is the number of A queries name received.
func (s *dnsServer) queriesFor(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[strings.ToLower(name)+"."]
}

func (s *dnsServer) serve(t *testing.T) {
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("dns server: %v", err)
			}
			return
		}
		resp, err := s.answer(buf[:n])
		if err != nil {
			t.Errorf("dns server: %v", err)
			continue
		}
		if _, err := s.conn.WriteTo(resp, from); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("dns server: write: %v", err)
		}
	}
}

func (s *dnsServer) answer(req []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(req)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(q.Name.String())
	msg := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired},
		Questions: []dnsmessage.Question{q},
	}
	s.mu.Lock()
	seq, known := s.answers[name]
	if known && q.Type == dnsmessage.TypeA {
		i := min(s.queries[name], len(seq)-1)
		s.queries[name]++
		msg.Answers = append(msg.Answers, dnsmessage.Resource{
			Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 0},
			Body:   &dnsmessage.AResource{A: seq[i].As4()},
		})
	}
	s.mu.Unlock()
	if !known {
		msg.Header.RCode = dnsmessage.RCodeNameError
	}
	return msg.Pack()
}
