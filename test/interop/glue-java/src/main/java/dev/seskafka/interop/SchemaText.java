package dev.seskafka.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;

/**
 * Prints what Avro Java's Schema.toString() makes of each schema: the text the AWS Glue Java serde and
 * Confluent's Java serializer send to a registry. One schema per stdin line (one-line JSON); one answer
 * per stdout line, "OK <text>" or "ERR <message>", so a test can compare many schemas in one JVM.
 */
public final class SchemaText {
  private SchemaText() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      try {
        out.println("OK " + new Schema.Parser().parse(line).toString());
      } catch (RuntimeException error) {
        out.println("ERR " + String.valueOf(error.getMessage()).replace('\n', ' '));
      }
    }
    out.flush();
  }
}
