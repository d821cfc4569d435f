package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

// ACLBroker is a broker (embedded, or real under ASSAY_KAFKA=local) that
// authenticates clients with SASL PLAIN and enforces ACLs, as a
// locked-down production cluster does. Admin
// is a superuser. App may describe, read and write every topic and read
// every consumer group, and nothing more: no CREATE, no cluster
// operations. That is what the programs should need against topics an
// administrator created.
type ACLBroker struct {
	Admin stream.Cluster
	t     testing.TB
}

// The restricted principal's SASL PLAIN credentials, for tests that run a
// program with flags and environment as an operator would.
const (
	AppUser     = "assay"
	AppPassword = "assay-secret"
)

// CreateTopics creates the default topics as the administrator would,
// before the programs start.
func (b *ACLBroker) CreateTopics(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := stream.EnsureTopics(ctx, b.Admin, stream.DefaultTopics(), stream.DefaultLayout()); err != nil {
		t.Fatal(err)
	}
}

// App returns a new connection to the broker as the restricted principal,
// with a pool of its own: kafka-go's pool caches topic metadata, so a
// program that starts after an administrator's change starts afresh.
func (b *ACLBroker) App() stream.Cluster {
	c := stream.NewCluster(b.Admin.Brokers, nil, plain.Mechanism{Username: AppUser, Password: AppPassword})
	b.t.Cleanup(c.Close)
	return c
}

// DenyTopic forbids the restricted principal op on topic, as an
// administrator revoking a right would (a DENY overrides App's ALLOWs),
// until the returned lift is called. A program's requests then fail with
// an authorization error, which it may retry.
func (b *ACLBroker) DenyTopic(t testing.TB, topic string, op kafka.ACLOperationType) (lift func()) {
	t.Helper()
	entry := kafka.ACLEntry{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ResourcePatternType: kafka.PatternTypeLiteral,
		Principal: "User:" + AppUser, Host: "*", Operation: op, PermissionType: kafka.ACLPermissionTypeDeny,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := b.Admin.Client(10*time.Second).CreateACLs(ctx, &kafka.CreateACLsRequest{ACLs: []kafka.ACLEntry{entry}})
	if err == nil {
		err = errors.Join(resp.Errors...)
	}
	if err != nil {
		t.Fatalf("deny %s on %s: %v", op, topic, err)
	}
	return func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := b.Admin.Client(10*time.Second).DeleteACLs(ctx, &kafka.DeleteACLsRequest{Filters: []kafka.DeleteACLsFilter{{
			ResourceTypeFilter: entry.ResourceType, ResourceNameFilter: entry.ResourceName, ResourcePatternTypeFilter: entry.ResourcePatternType,
			PrincipalFilter: entry.Principal, HostFilter: entry.Host, Operation: entry.Operation, PermissionType: entry.PermissionType,
		}}})
		n := 0
		if err == nil {
			for _, r := range resp.Results {
				err = errors.Join(err, r.Error)
				n += len(r.MatchingACLs)
			}
		}
		if err == nil && n != 1 {
			err = fmt.Errorf("%d ACLs matched, want 1", n)
		}
		if err != nil {
			t.Fatalf("lift the denial of %s on %s: %v", op, topic, err)
		}
	}
}

// StartACL starts an ACLBroker with no topics, stopped when t ends: the
// embedded broker, or under ASSAY_KAFKA=local a real one (startRealACL).
func StartACL(t testing.TB) *ACLBroker {
	t.Helper()
	if Real() {
		return startRealACL(t)
	}
	allow := func(res kmsg.ACLResourceType, op kmsg.ACLOperation) kfake.ACL {
		return kfake.ACL{Resource: res, Name: "*", Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: op, Allow: true}
	}
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.EnableSASL(),
		kfake.EnableACLs(),
		kfake.Superuser("PLAIN", adminUser, adminPassword),
		kfake.User("PLAIN", AppUser, AppPassword,
			allow(kmsg.ACLResourceTypeTopic, kmsg.ACLOperationDescribe),
			allow(kmsg.ACLResourceTypeTopic, kmsg.ACLOperationRead),
			allow(kmsg.ACLResourceTypeTopic, kmsg.ACLOperationWrite),
			allow(kmsg.ACLResourceTypeGroup, kmsg.ACLOperationRead),
			allow(kmsg.ACLResourceTypeGroup, kmsg.ACLOperationDescribe),
		),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return newACLBroker(t, c.ListenAddrs())
}

const adminUser, adminPassword = "admin", "admin-secret"

func newACLBroker(t testing.TB, addrs []string) *ACLBroker {
	b := &ACLBroker{
		Admin: stream.NewCluster(addrs, nil, plain.Mechanism{Username: adminUser, Password: adminPassword}),
		t:     t,
	}
	t.Cleanup(b.Admin.Close)
	return b
}

// AuthzLog is the log of a program run as the restricted principal: it
// keeps warnings and errors (the level a refused request is logged at),
// prints them if the test fails, and Check fails the test if any speaks of
// authorization. A refusal a program retries, or only warns of (a commit
// that failed), is visible nowhere else.
type AuthzLog struct {
	progtest.Buffer // loggers write from several goroutines
	t               testing.TB
}

// NewAuthzLog returns an empty log for t.
func NewAuthzLog(t testing.TB) *AuthzLog {
	l := &AuthzLog{t: t}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the program's warnings:\n%s", l.String())
		}
	})
	return l
}

// Logger logs warnings and errors to l.
func (l *AuthzLog) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// Refused reports whether what was logged so far mentions authorization:
// a test waiting for an outcome can stop at once rather than time out
// while the program retries.
func (l *AuthzLog) Refused() bool {
	return strings.Contains(strings.ToLower(l.String()), "authoriz")
}

// Check fails the test if what was logged mentions authorization; who
// names the program for the message.
func (l *AuthzLog) Check(who string) {
	l.t.Helper()
	if l.Refused() {
		l.t.Errorf("%s met an authorization failure:\n%s", who, l.String())
	}
}
