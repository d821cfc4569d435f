package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/progtest"
)

// startRealACL starts a real Kafka broker that does what the embedded
// ACLBroker does: a SASL_PLAINTEXT listener with PLAIN users admin and
// AppUser, and Kafka's StandardAuthorizer. The admin is a superuser; the
// app gets, as ACLs created by the admin, exactly the embedded broker's
// rights. The PLAINTEXT listener stays for the broker's own use (kafka-local
// checks it is up; it is the inter-broker listener), and its anonymous
// principal is a superuser too, since the broker and its controller talk
// as ANONYMOUS; tests reach the broker only through the SASL listener.
func startRealACL(t testing.TB) *ACLBroker {
	t.Helper()
	dir := t.TempDir()
	ports := progtest.FreePorts(t, 3) // plaintext, the controller, SASL
	port, sasl := ports[0], loopback(ports[2])
	var p strings.Builder
	fmt.Fprintf(&p, "listeners=PLAINTEXT://%s,SASL_PLAINTEXT://%s,CONTROLLER://%s\n", loopback(port), sasl, loopback(ports[1]))
	fmt.Fprintf(&p, "advertised.listeners=PLAINTEXT://%s,SASL_PLAINTEXT://%s\n", loopback(port), sasl)
	p.WriteString("sasl.enabled.mechanisms=PLAIN\n")
	fmt.Fprintf(&p, "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_%s=\"%s\" user_%s=\"%s\";\n",
		adminUser, adminPassword, AppUser, AppPassword)
	p.WriteString("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n")
	fmt.Fprintf(&p, "super.users=User:%s;User:ANONYMOUS\n", adminUser)
	// A locked-down cluster does not create topics a client names.
	p.WriteString("auto.create.topics.enable=false\n")
	extra := filepath.Join(dir, "acl.properties")
	if err := os.WriteFile(extra, []byte(p.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	kdir := filepath.Join(dir, "kafka")
	kafkaLocal(t, "start", "--dir", kdir, "--port", strconv.Itoa(port), "--config-extra", extra)
	t.Cleanup(func() { kafkaLocal(t, "stop", "--dir", kdir) })

	b := newACLBroker(t, []string{sasl})
	var acls []kafka.ACLEntry
	allow := func(res kafka.ResourceType, ops ...kafka.ACLOperationType) {
		for _, op := range ops {
			acls = append(acls, kafka.ACLEntry{
				ResourceType: res, ResourceName: "*", ResourcePatternType: kafka.PatternTypeLiteral,
				Principal: "User:" + AppUser, Host: "*", Operation: op, PermissionType: kafka.ACLPermissionTypeAllow,
			})
		}
	}
	allow(kafka.ResourceTypeTopic, kafka.ACLOperationTypeDescribe, kafka.ACLOperationTypeRead, kafka.ACLOperationTypeWrite)
	allow(kafka.ResourceTypeGroup, kafka.ACLOperationTypeRead, kafka.ACLOperationTypeDescribe)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := b.Admin.Client(10*time.Second).CreateACLs(ctx, &kafka.CreateACLsRequest{ACLs: acls})
	if err == nil {
		err = errors.Join(resp.Errors...)
	}
	if err != nil {
		t.Fatalf("grant %s its rights: %v", AppUser, err)
	}
	return b
}
