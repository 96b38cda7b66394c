package sesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs Apache Kafka Connect's own transforms (and the Java behaviour they expose) for the conformance
 * tests, as ONE long-lived JVM: JVM start-up and JIT warm-up dominate otherwise, and the differential
 * fuzzer sends tens of thousands of cases.
 * Protocol: one JSON request per line on stdin, {"cases": [case...]}, and one JSON response per line on
 * stdout, {"results": [result...]} in the same order. A case's "kind" is "chain" (ChainRunner),
 * "dateFormat", "regex" or "parseString" (JavaBehaviour). The process ends at end of input.
 * Start it with -Duser.timezone=UTC -Duser.language=en -Duser.country=US: Connect formats dates in the
 * worker's zone and SimpleDateFormat takes names and week rules from the default locale.
 */
public final class ConnectHarness {
  private ConnectHarness() {}

  static String describe(Throwable error) {
    return error.getClass().getSimpleName() + ": " + error.getMessage();
  }

  private static JsonNode runCase(JsonNode testCase) {
    String kind = testCase.path("kind").asText("chain");
    try {
      switch (kind) {
        case "chain": return ChainRunner.run(testCase);
        case "dateFormat": return JavaBehaviour.dateFormat(testCase);
        case "regex": return JavaBehaviour.regex(testCase);
        case "parseString": return JavaBehaviour.parseString(testCase);
        default: {
          ObjectNode out = JsonNodeFactory.instance.objectNode();
          out.put("inputError", "unknown case kind " + kind);
          return out;
        }
      }
    } catch (Throwable error) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("inputError", describe(error));
      return out;
    }
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 20);
    OutputStream out = System.out;
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      JsonNode request = ConnectJson.MAPPER.readTree(line);
      ObjectNode response = JsonNodeFactory.instance.objectNode();
      ArrayNode results = response.putArray("results");
      for (JsonNode testCase : request.path("cases")) results.add(runCase(testCase));
      out.write(ConnectJson.MAPPER.writeValueAsBytes(response));
      out.write('\n');
      out.flush();
    }
  }
}
