package kafkatest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/progtest"
)

// SecureMechanisms are the SASL mechanisms a SecureBroker's SASL listeners
// accept, each for User and Password.
var SecureMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// SecureBroker is a real Kafka broker with a listener for each security
// protocol, all on 127.0.0.1. Its certificate is for 127.0.0.1 and
// localhost, signed by a CA made for the test; SSL does not ask clients for
// certificates. The broker has no topics: the caller creates them.
type SecureBroker struct {
	Plain         []string // PLAINTEXT (also the inter-broker listener)
	SSL           []string // TLS, no SASL
	SASLSSL       []string // SASL over TLS: SecureMechanisms
	SASLPlaintext []string // SASL without TLS: SecureMechanisms

	CAFile string         // the CA certificate, PEM
	CAPool *x509.CertPool // holds the CA certificate alone

	// User and Password are accepted by every SASL mechanism; Password is
	// random per broker (base32, 26 characters).
	User     string
	Password string
}

// StartSecure starts a fresh real broker with PLAINTEXT, SSL, SASL_SSL and
// SASL_PLAINTEXT listeners, stopped when t ends. Without a real broker
// (ASSAY_KAFKA=local, make test-kafka) it skips t.
func StartSecure(t testing.TB) *SecureBroker {
	t.Helper()
	if !Real() {
		t.Skip("kafkatest.StartSecure needs a real Kafka broker: ASSAY_KAFKA=local (make test-kafka)")
	}
	dir := t.TempDir()
	all := progtest.FreePorts(t, 5) // plaintext, the controller, then three more listeners
	port, ports := all[0], all[2:]
	b := &SecureBroker{
		Plain:         []string{loopback(port)},
		SSL:           []string{loopback(ports[0])},
		SASLSSL:       []string{loopback(ports[1])},
		SASLPlaintext: []string{loopback(ports[2])},
		CAFile:        filepath.Join(dir, "ca.pem"),
		User:          "assay",
		Password:      rand.Text(),
	}
	keystore := filepath.Join(dir, "server.pem")
	b.CAPool = WriteCertificates(t, b.CAFile, keystore)

	extra := filepath.Join(dir, "secure.properties")
	if err := os.WriteFile(extra, []byte(b.properties(keystore, port+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	kdir := filepath.Join(dir, "kafka")
	kafkaLocal(t, "start", "--dir", kdir, "--port", strconv.Itoa(port),
		"--config-extra", extra, "--scram-user", b.User+":"+b.Password)
	t.Cleanup(func() { kafkaLocal(t, "stop", "--dir", kdir) })
	return b
}

// properties is the --config-extra for kafka-local: the listeners, the
// broker's key and certificate, and the SASL users.
func (b *SecureBroker) properties(keystore string, controller int) string {
	var p strings.Builder
	listeners := "PLAINTEXT://" + b.Plain[0] + ",SSL://" + b.SSL[0] +
		",SASL_SSL://" + b.SASLSSL[0] + ",SASL_PLAINTEXT://" + b.SASLPlaintext[0]
	fmt.Fprintf(&p, "listeners=%s,CONTROLLER://%s\n", listeners, loopback(controller))
	fmt.Fprintf(&p, "advertised.listeners=%s\n", listeners)
	// A PEM key store holds the PKCS#8 key and the certificate chain; an
	// unencrypted key needs no ssl.key.password (Kafka 3.9).
	fmt.Fprintf(&p, "ssl.keystore.type=PEM\nssl.keystore.location=%s\nssl.client.auth=none\n", keystore)
	fmt.Fprintf(&p, "sasl.enabled.mechanisms=%s\n", strings.Join(SecureMechanisms, ","))
	for _, l := range []string{"sasl_ssl", "sasl_plaintext"} {
		// PLAIN users are user_NAME="PASSWORD" in the JAAS config; SCRAM
		// users are in the metadata log (kafka-local --scram-user).
		fmt.Fprintf(&p, "listener.name.%s.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_%s=\"%s\";\n",
			l, b.User, b.Password)
		for _, m := range []string{"scram-sha-256", "scram-sha-512"} {
			fmt.Fprintf(&p, "listener.name.%s.%s.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n", l, m)
		}
	}
	return p.String()
}

// WriteCertificates (for tests of TLS clients too) makes a CA and a server certificate for 127.0.0.1 and
// localhost signed by it (ECDSA P-256, valid for a day); it writes the CA
// certificate to caFile and the server's PKCS#8 key, certificate and CA
// certificate to keystore, and returns a pool holding the CA.
func WriteCertificates(t testing.TB, caFile, keystore string) *x509.CertPool {
	t.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "assay kafkatest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	var ks []byte
	ks = append(ks, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...)
	ks = append(ks, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	ks = append(ks, caPEM...)
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keystore, ks, 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
