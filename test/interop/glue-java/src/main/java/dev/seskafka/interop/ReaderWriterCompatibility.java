package dev.seskafka.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * Avro Java's own verdict on whether a reader schema can read data written with a writer schema
 * (SchemaCompatibility.checkReaderWriterCompatibility, the rule registries apply). One pair per stdin
 * line, "reader-json TAB writer-json"; one answer per stdout line: "COMPATIBLE", "INCOMPATIBLE" or
 * "ERR message" (a schema Java refuses to parse).
 */
public final class ReaderWriterCompatibility {
  private ReaderWriterCompatibility() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      String[] pair = line.split("\t", 2);
      try {
        Schema reader = new Schema.Parser().parse(pair[0]);
        Schema writer = new Schema.Parser().parse(pair[1]);
        SchemaCompatibility.SchemaCompatibilityType type =
            SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
        out.println(type == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE ? "COMPATIBLE" : "INCOMPATIBLE");
      } catch (RuntimeException error) {
        out.println("ERR " + String.valueOf(error.getMessage()).replace('\n', ' '));
      }
    }
    out.flush();
  }
}
