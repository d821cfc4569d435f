package kafkatest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl/scram"

	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/stream"
)

// listener is one way into a SecureBroker: a security protocol on an
// address and, for SASL, a mechanism.
type listener struct {
	protocol string // as librdkafka's security.protocol names it
	addr     string
	tls      bool
	mech     string // "" without SASL
}

func (l listener) name() string {
	if l.mech == "" {
		return l.protocol
	}
	return l.protocol + "/" + l.mech
}

func listeners(b *kafkatest.SecureBroker) []listener {
	ls := []listener{
		{protocol: "PLAINTEXT", addr: b.Plain[0]},
		{protocol: "SSL", addr: b.SSL[0], tls: true},
	}
	for _, m := range kafkatest.SecureMechanisms {
		ls = append(ls,
			listener{protocol: "SASL_SSL", addr: b.SASLSSL[0], tls: true, mech: m},
			listener{protocol: "SASL_PLAINTEXT", addr: b.SASLPlaintext[0], mech: m})
	}
	return ls
}

// TestStartSecure proves every listener of a SecureBroker with two
// clients, kcat (librdkafka) and kafka-go: the right credentials and CA
// get metadata, a wrong password, an unknown user or a missing CA do not.
func TestStartSecure(t *testing.T) {
	t0 := time.Now()
	b := kafkatest.StartSecure(t)
	t.Logf("StartSecure: %v", time.Since(t0).Round(10*time.Millisecond))

	ca, err := os.ReadFile(b.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(ca) {
		t.Fatalf("%s holds no certificate", b.CAFile)
	}
	for _, l := range listeners(b) {
		t.Run(l.name(), func(t *testing.T) {
			t.Parallel()
			t.Run("kcat", func(t *testing.T) { checkKcat(t, b, l) })
			t.Run("kafka-go", func(t *testing.T) { checkKafkaGo(t, b, l) })
		})
	}
	t.Run("records", func(t *testing.T) {
		t.Parallel()
		checkRecords(t, b)
	})
}

// checkRecords creates a topic and writes a record to it through SASL_SSL
// (SCRAM-SHA-512) with a kafka-go Transport, as the pipeline's writers and
// clients connect, then reads the record back through SSL with a kafka-go
// connection and through SASL_PLAINTEXT (PLAIN) with kcat.
func checkRecords(t *testing.T, b *kafkatest.SecureBroker) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mech, err := scram.Mechanism(scram.SHA512, b.User, b.Password)
	if err != nil {
		t.Fatal(err)
	}
	tr := &kafka.Transport{TLS: &tls.Config{RootCAs: b.CAPool}, SASL: mech}
	defer tr.CloseIdleConnections()
	const topic = "secure"
	client := &kafka.Client{Addr: kafka.TCP(b.SASLSSL...), Transport: tr}
	res, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: 1, ReplicationFactor: 1}},
	})
	if err == nil {
		err = res.Errors[topic]
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(b.SASLSSL...), Topic: topic, Transport: tr,
		RequiredAcks: kafka.RequireAll, BatchTimeout: 10 * time.Millisecond}
	err = w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte("v")})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("write: %v", err)
	}

	d := &kafka.Dialer{Timeout: 10 * time.Second, TLS: &tls.Config{RootCAs: b.CAPool}}
	conn, err := d.DialLeader(ctx, "tcp", b.SSL[0], topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Seek(0, kafka.SeekAbsolute); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	m, err := conn.ReadMessage(1 << 20)
	if err != nil {
		t.Fatalf("read through SSL: %v", err)
	}
	if string(m.Key) != "k" || string(m.Value) != "v" {
		t.Errorf("read through SSL %q=%q, want k=v", m.Key, m.Value)
	}

	t.Run("kcat", func(t *testing.T) {
		out, err := exec.Command(kafkatest.Kcat(t), "-C", "-b", b.SASLPlaintext[0], "-X", "security.protocol=SASL_PLAINTEXT",
			"-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username="+b.User, "-X", "sasl.password="+b.Password,
			"-t", topic, "-o", "beginning", "-c", "1", "-e", "-f", "%k=%s\\n").CombinedOutput()
		if err != nil || string(out) != "k=v\n" {
			t.Errorf("kcat -C through SASL_PLAINTEXT: %v\n%s", err, out)
		}
	})
}

func checkKcat(t *testing.T, b *kafkatest.SecureBroker, l listener) {
	kcat := kafkatest.Kcat(t)
	args := func(user, password string, ca bool) []string {
		a := []string{"-L", "-b", l.addr, "-X", "security.protocol=" + l.protocol}
		if l.tls && ca {
			a = append(a, "-X", "ssl.ca.location="+b.CAFile)
		}
		if l.mech != "" {
			a = append(a, "-X", "sasl.mechanisms="+l.mech, "-X", "sasl.username="+user, "-X", "sasl.password="+password)
		}
		return a
	}
	out, err := exec.Command(kcat, append(args(b.User, b.Password, true), "-m", "10")...).CombinedOutput()
	if err != nil {
		t.Fatalf("kcat %v: %v\n%s", args(b.User, "PASSWORD", true), err, out)
	}
	// The broker advertises the listener the client came in on.
	if want := "broker 1 at " + l.addr; !bytes.Contains(out, []byte(want)) {
		t.Errorf("kcat -L: no %q in\n%s", want, out)
	}

	// Refused clients fail at once but kcat waits out its metadata
	// timeout (-m): run them together. why is librdkafka's log line.
	type refusal struct{ what, why string }
	refused := map[refusal][]string{}
	if l.mech != "" {
		refused[refusal{"a wrong password", "SASL authentication error"}] = args(b.User, b.Password+"x", true)
		refused[refusal{"an unknown user", "SASL authentication error"}] = args("nobody", b.Password, true)
	}
	if l.tls {
		refused[refusal{"no CA", "certificate verify failed"}] = args(b.User, b.Password, false)
	}
	var wg sync.WaitGroup
	for r, a := range refused {
		wg.Go(func() {
			out, err := exec.Command(kcat, append(a, "-m", "2")...).CombinedOutput()
			switch {
			case err == nil:
				t.Errorf("kcat with %s listed metadata:\n%s", r.what, out)
			case !bytes.Contains(out, []byte(r.why)):
				t.Errorf("kcat with %s: %v, no %q in\n%s", r.what, err, r.why, out)
			}
		})
	}
	wg.Wait()
}

func checkKafkaGo(t *testing.T, b *kafkatest.SecureBroker, l listener) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dial := func(user, password string, pool *x509.CertPool) (*kafka.Conn, error) {
		d := &kafka.Dialer{Timeout: 10 * time.Second}
		if l.tls {
			d.TLS = &tls.Config{RootCAs: pool}
		}
		if l.mech != "" {
			c, err := stream.ClusterConfig{Brokers: l.addr, SASLMechanism: l.mech, SASLUser: user, SASLPassword: password}.Cluster()
			if err != nil {
				t.Fatal(err)
			}
			d.SASLMechanism = c.SASL()
		}
		return d.DialContext(ctx, "tcp", l.addr)
	}
	conn, err := dial(b.User, b.Password, b.CAPool)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	brokers, err := conn.Brokers()
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(l.addr)
	if !slices.ContainsFunc(brokers, func(k kafka.Broker) bool { return k.Host == host && strconv.Itoa(k.Port) == port }) {
		t.Errorf("brokers %+v, want %s", brokers, l.addr)
	}
	if _, err := conn.ReadPartitions(); err != nil {
		t.Errorf("read partitions: %v", err)
	}

	if l.mech != "" {
		for what, user := range map[string]string{"a wrong password": b.User, "an unknown user": "nobody"} {
			password := b.Password
			if user == b.User {
				password += "x"
			}
			c, err := dial(user, password, b.CAPool)
			if err == nil {
				c.Close()
				t.Errorf("kafka-go with %s: connected", what)
			} else if !errors.Is(err, kafka.SASLAuthenticationFailed) {
				t.Errorf("kafka-go with %s: %v, want %v", what, err, kafka.SASLAuthenticationFailed)
			}
		}
	}
	if l.tls {
		c, err := dial(b.User, b.Password, x509.NewCertPool())
		var unknown x509.UnknownAuthorityError
		if err == nil {
			c.Close()
			t.Error("kafka-go without the CA: connected")
		} else if !errors.As(err, &unknown) {
			t.Errorf("kafka-go without the CA: %v, want an unknown authority", err)
		}
	}
}
