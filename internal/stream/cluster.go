package stream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// Cluster is a Kafka cluster and how to reach it: its bootstrap brokers
// and, when the cluster asks for them, TLS and SASL. Every connection this
// package opens — readers, writers, admin and metadata requests — goes
// through it. A literal (only Brokers can be set) is a plaintext cluster on
// kafka-go's process-wide connection pool; NewCluster gives a cluster its
// own pool, and is the only way to TLS and SASL: readers dial on their own
// but writers and clients connect through the pool, so security set on a
// literal would reach the one and not the other.
type Cluster struct {
	Brokers []string
	// tlsConfig, when set, encrypts every connection.
	tlsConfig *tls.Config
	// mech, when set, authenticates every connection.
	mech sasl.Mechanism
	// dial, when set, opens every connection (WithDial).
	dial func(ctx context.Context, network, address string) (net.Conn, error)

	// transport is shared by the cluster's clients and writers so their
	// connections are pooled; NewCluster and WithDial set it.
	transport *kafka.Transport
	// outage is how long consumers ride out an unreachable cluster:
	// DefaultOutage when 0, for ever when negative (WithOutage).
	outage time.Duration
}

// WithOutage returns the cluster with consumers riding out an unreachable
// cluster (Reconnect) for d before they give up; d <= 0: for ever.
func (c Cluster) WithOutage(d time.Duration) Cluster {
	c.outage = d
	if d <= 0 {
		c.outage = -1
	}
	return c
}

// Outage is how long consumers ride out an unreachable cluster before they
// give up; negative: for ever.
func (c Cluster) Outage() time.Duration {
	if c.outage == 0 {
		return DefaultOutage
	}
	return c.outage
}

// NewCluster returns a Cluster whose clients and writers share one
// connection pool of their own. (A literal Cluster uses kafka-go's
// process-wide default pool, which keys its cached metadata and
// connections by address alone: a second cluster later on the same
// address would meet the first one's.)
func NewCluster(brokers []string, tlsConfig *tls.Config, mech sasl.Mechanism) Cluster {
	c := Cluster{Brokers: brokers, tlsConfig: tlsConfig, mech: mech}
	c.transport = c.newTransport()
	return c
}

// TLS is the configuration that encrypts every connection, or nil.
func (c Cluster) TLS() *tls.Config { return c.tlsConfig }

// SASL is the mechanism that authenticates every connection, or nil.
func (c Cluster) SASL() sasl.Mechanism { return c.mech }

// WithDial returns the cluster with every connection opened by dial (tests
// use it to cut connections as a crash would), pooled apart from c's.
func (c Cluster) WithDial(dial func(ctx context.Context, network, address string) (net.Conn, error)) Cluster {
	c.dial = dial
	c.transport = c.newTransport()
	return c
}

// String names the brokers and the security in use, for logs.
func (c Cluster) String() string {
	s := strings.Join(c.Brokers, ",")
	switch {
	case c.tlsConfig != nil && c.mech != nil:
		return s + " (TLS, SASL " + c.mech.Name() + ")"
	case c.tlsConfig != nil:
		return s + " (TLS)"
	case c.mech != nil:
		return s + " (SASL " + c.mech.Name() + ", no TLS)"
	}
	return s
}

func (c Cluster) newTransport() *kafka.Transport {
	return &kafka.Transport{TLS: c.tlsConfig, SASL: c.mech, Dial: c.dial, DialTimeout: 10 * time.Second}
}

// roundTripper is the cluster's own pool, or nil for kafka-go's default.
func (c Cluster) roundTripper() kafka.RoundTripper {
	if c.transport == nil {
		return nil
	}
	return c.transport
}

// Close closes the idle connections of the cluster's own pool, if it has
// one; clients and writers made from it afterwards open new ones.
func (c Cluster) Close() {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
}

// Client returns an admin and metadata client with the given timeout.
func (c Cluster) Client(timeout time.Duration) *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(c.Brokers...), Timeout: timeout, Transport: c.roundTripper()}
}

// Dialer returns the dialer readers connect with.
func (c Cluster) Dialer() *kafka.Dialer {
	d := &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: c.tlsConfig, SASLMechanism: c.mech}
	if c.dial != nil {
		d.DialFunc = c.dial
	}
	return d
}

// NewWriter returns a producer for one topic that waits for every in-sync
// replica (kafka-go defaults to no acks), batches for at most 5 ms (the
// default 1 s turns every small write into a second's wait) and hashes keys
// to partitions so one listing's events stay in order. The hash is the Java
// client's (murmur2), the one a marketplace's own producers most likely
// use: with kafka-go's default FNV-1a, an update written by them and one
// written by ingest could land on different partitions and be scored out
// of order. Close flushes it.
func (c Cluster) NewWriter(topic string) *kafka.Writer {
	return &kafka.Writer{
		Addr:         kafka.TCP(c.Brokers...),
		Topic:        topic,
		Balancer:     &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
		BatchSize:    1000,
		MaxAttempts:  5,
		Transport:    c.roundTripper(),
	}
}

// NewReader builds a kafka-go reader on the cluster, tuned for low
// latency. kafka-go backs off ReadBackoffMin (100 ms by default) after an
// empty or failed fetch, which left about 1% of records 100 ms late on an
// idle topic; a short MaxWait keeps a parked fetch from holding new records
// back either. cfg's Brokers and Dialer are the cluster's. A group
// reader's SessionTimeout also sets its heartbeat (a tenth of it, at least
// a second) and rebalance timeout, unless they are set.
func (c Cluster) NewReader(cfg kafka.ReaderConfig) *kafka.Reader {
	cfg.Brokers = c.Brokers
	cfg.Dialer = c.Dialer()
	if cfg.GroupID != "" && cfg.SessionTimeout > 0 {
		if cfg.HeartbeatInterval == 0 {
			cfg.HeartbeatInterval = max(cfg.SessionTimeout/10, time.Second)
		}
		if cfg.RebalanceTimeout == 0 {
			cfg.RebalanceTimeout = cfg.SessionTimeout
		}
	}
	if cfg.MinBytes == 0 {
		cfg.MinBytes = 1
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 16 << 20
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 20 * time.Millisecond
	}
	if cfg.ReadBackoffMin == 0 {
		cfg.ReadBackoffMin = time.Millisecond
	}
	if cfg.ReadBackoffMax == 0 {
		cfg.ReadBackoffMax = 500 * time.Millisecond
	}
	return kafka.NewReader(cfg)
}

// SASL mechanism names, as Kafka's sasl.enabled.mechanisms spells them.
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// ClusterConfig is how a program is told to reach Kafka, as flags and
// environment variables give it; Cluster checks it and loads the files it
// names. The password comes from the environment or a file, never from a
// flag's value, which any user of the machine can read in the process list.
type ClusterConfig struct {
	Brokers string // comma-separated host:port list
	// TLS turns TLS on; the other TLS settings imply it.
	TLS                bool
	CAFile             string // PEM CA bundle; empty: the system's roots
	CertFile, KeyFile  string // PEM client certificate and key, for mutual TLS
	ServerName         string // name to verify the brokers' certificates against
	InsecureSkipVerify bool
	// SASLMechanism is "", PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (any case).
	SASLMechanism    string
	SASLUser         string
	SASLPassword     string
	SASLPasswordFile string
	// Outage is how long consumers ride out an unreachable cluster, at
	// start-up and after, before the program gives up; 0: never.
	Outage time.Duration

	// envErr is what ClusterConfigFromEnv could not read; Cluster returns
	// it, so that a misspelt KAFKA_TLS is not taken for plaintext.
	envErr error
}

// ClusterConfigFromEnv reads the KAFKA_* environment variables, the
// defaults of the flags AddFlags defines. A switch that is neither empty
// nor true or false (KAFKA_TLS=yes) is an error Cluster returns.
func ClusterConfigFromEnv() ClusterConfig {
	env := func(k string) string { return strings.TrimSpace(os.Getenv(k)) }
	var errs []error
	flagOn := func(k string) bool {
		v := env(k)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not true or false", k, v))
		}
		return b
	}
	c := ClusterConfig{
		Brokers:            BrokersFromEnv(),
		TLS:                flagOn("KAFKA_TLS"),
		CAFile:             env("KAFKA_TLS_CA"),
		CertFile:           env("KAFKA_TLS_CERT"),
		KeyFile:            env("KAFKA_TLS_KEY"),
		ServerName:         env("KAFKA_TLS_SERVER_NAME"),
		InsecureSkipVerify: flagOn("KAFKA_TLS_INSECURE_SKIP_VERIFY"),
		SASLMechanism:      env("KAFKA_SASL_MECHANISM"),
		SASLUser:           env("KAFKA_SASL_USERNAME"),
		SASLPassword:       os.Getenv("KAFKA_SASL_PASSWORD"),
		SASLPasswordFile:   env("KAFKA_SASL_PASSWORD_FILE"),
		Outage:             DefaultOutage,
	}
	c.envErr = errors.Join(errs...)
	return c
}

// AddFlags defines the connection flags on fs with c's values as
// defaults (ClusterConfigFromEnv's, usually); parsing fs fills c.
func (c *ClusterConfig) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Brokers, "brokers", c.Brokers, "Kafka bootstrap brokers, comma-separated `HOST:PORT` list ($KAFKA_BROKERS)")
	fs.BoolVar(&c.TLS, "kafka-tls", c.TLS, "connect to Kafka over TLS ($KAFKA_TLS); implied by the other --kafka-tls-* flags")
	fs.StringVar(&c.CAFile, "kafka-tls-ca", c.CAFile, "PEM `file` of the CAs that sign the brokers' certificates; default the system's ($KAFKA_TLS_CA)")
	fs.StringVar(&c.CertFile, "kafka-tls-cert", c.CertFile, "PEM client certificate `file`, for brokers that require mutual TLS ($KAFKA_TLS_CERT)")
	fs.StringVar(&c.KeyFile, "kafka-tls-key", c.KeyFile, "PEM private key `file` of --kafka-tls-cert ($KAFKA_TLS_KEY)")
	fs.StringVar(&c.ServerName, "kafka-tls-server-name", c.ServerName, "`name` the brokers' certificates must carry, when not the host dialled ($KAFKA_TLS_SERVER_NAME)")
	fs.BoolVar(&c.InsecureSkipVerify, "kafka-tls-insecure-skip-verify", c.InsecureSkipVerify, "do not verify the brokers' certificates (tests only) ($KAFKA_TLS_INSECURE_SKIP_VERIFY)")
	fs.StringVar(&c.SASLMechanism, "kafka-sasl-mechanism", c.SASLMechanism, "SASL `mechanism`: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; empty: none ($KAFKA_SASL_MECHANISM)")
	fs.StringVar(&c.SASLUser, "kafka-sasl-username", c.SASLUser, "SASL `user` name ($KAFKA_SASL_USERNAME)")
	fs.StringVar(&c.SASLPasswordFile, "kafka-sasl-password-file", c.SASLPasswordFile, "`file` holding the SASL password; or set $KAFKA_SASL_PASSWORD ($KAFKA_SASL_PASSWORD_FILE)")
}

// AddOutageFlag defines --kafka-outage, for the programs that consume
// (and so ride out an unreachable cluster rather than fail at once).
func (c *ClusterConfig) AddOutageFlag(fs *flag.FlagSet) {
	fs.DurationVar(&c.Outage, "kafka-outage", c.Outage, "how long to keep trying an unreachable Kafka, at start-up and after, before the program exits (0: for ever)")
}

// Cluster checks the configuration and builds the Cluster it describes.
func (c ClusterConfig) Cluster() (Cluster, error) {
	if c.envErr != nil {
		return Cluster{}, c.envErr
	}
	brokers, err := ParseBrokers(c.Brokers)
	if err != nil {
		return Cluster{}, err
	}
	tc, err := c.tlsConfig()
	if err != nil {
		return Cluster{}, err
	}
	mech, err := c.sasl()
	if err != nil {
		return Cluster{}, err
	}
	if c.Outage < 0 {
		return Cluster{}, fmt.Errorf("kafka outage %s is negative (0 keeps trying for ever)", c.Outage)
	}
	return NewCluster(brokers, tc, mech).WithOutage(c.Outage), nil
}

func (c ClusterConfig) tlsConfig() (*tls.Config, error) {
	if !c.TLS && c.CAFile == "" && c.CertFile == "" && c.KeyFile == "" && c.ServerName == "" && !c.InsecureSkipVerify {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName, InsecureSkipVerify: c.InsecureSkipVerify}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("kafka TLS CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka TLS CA %s: no PEM certificate in it", c.CAFile)
		}
		tc.RootCAs = pool
	}
	switch {
	case c.CertFile != "" && c.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka TLS client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	case c.CertFile != "" || c.KeyFile != "":
		return nil, errors.New("kafka TLS: a client certificate needs both --kafka-tls-cert and --kafka-tls-key")
	}
	return tc, nil
}

func (c ClusterConfig) sasl() (sasl.Mechanism, error) {
	if c.SASLMechanism == "" {
		if c.SASLUser != "" {
			return nil, errors.New("kafka SASL: a user name without --kafka-sasl-mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
		}
		return nil, nil
	}
	if c.SASLUser == "" {
		return nil, fmt.Errorf("kafka SASL %s: no user name (--kafka-sasl-username or $KAFKA_SASL_USERNAME)", c.SASLMechanism)
	}
	password := c.SASLPassword
	if c.SASLPasswordFile != "" {
		data, err := os.ReadFile(c.SASLPasswordFile)
		if err != nil {
			return nil, fmt.Errorf("kafka SASL password: %w", err)
		}
		password = strings.TrimRight(string(data), "\r\n")
	}
	if password == "" {
		return nil, fmt.Errorf("kafka SASL %s: no password (--kafka-sasl-password-file or $KAFKA_SASL_PASSWORD)", c.SASLMechanism)
	}
	switch strings.ToUpper(c.SASLMechanism) {
	case SASLPlain:
		return plain.Mechanism{Username: c.SASLUser, Password: password}, nil
	case SASLScramSHA256, SASLScramSHA512:
		algo := scram.SHA256
		if strings.ToUpper(c.SASLMechanism) == SASLScramSHA512 {
			algo = scram.SHA512
		}
		m, err := scram.Mechanism(algo, c.SASLUser, password)
		if err != nil {
			return nil, fmt.Errorf("kafka SASL %s: %w", c.SASLMechanism, err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("kafka SASL mechanism %q is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512", c.SASLMechanism)
}
