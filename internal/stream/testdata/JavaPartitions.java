// Prints, for each key, the partition the Java client's default partitioner
// picks among 6 and 12 partitions (murmur2, as in BuiltInPartitioner), for
// TestWriterPartitionsLikeJava:
//   javac -cp "$KAFKA/libs/*" JavaPartitions.java && java -cp "$KAFKA/libs/*:." JavaPartitions > java-partitions.txt
// (run here with kafka-clients 3.9.2, the jar make test-kafka downloads).
import org.apache.kafka.common.utils.Utils;
public class JavaPartitions {
  public static void main(String[] a) throws Exception {
    String[] keys = {"mp-000001","mp-000002","mp-000003","mp-000042","mp-000648","L-0000001","b-0123456","listing-with-a-longer-identifier-0001","21","foobar","x"};
    for (String k : keys) {
      byte[] b = k.getBytes("UTF-8");
      int h = Utils.murmur2(b);
      System.out.println(k + " " + (Utils.toPositive(h) % 6) + " " + (Utils.toPositive(h) % 12));
    }
  }
}
