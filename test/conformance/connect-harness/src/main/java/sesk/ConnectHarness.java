package sesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * Runs Kafka Connect's own transforms over test cases so the TypeScript chain can be compared with them.
 * Usage: java -Duser.timezone=UTC -jar connect-harness.jar cases.json > results.json
 * Each case: {"id", "config": {connector-style transform keys}, "records": [{"topic", "partition",
 * "offset", "timestamp", "key": {"schema","payload"} | null, "value": {"schema","payload"},
 * "headers": [{"key","value"}]}]}. Each result: {"id", "configError"} or {"id", "results": [...]},
 * where a record result is {"error"}, {"filtered": true} or the transformed record in the same shape.
 * All cases run in one JVM because JVM start-up dominates the run time.
 */
public final class ConnectHarness {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String TRANSFORMS = "org.apache.kafka.connect.transforms.";
  private static final String PREDICATES = "org.apache.kafka.connect.transforms.predicates.";

  private record Step(Transformation<SinkRecord> transform, Predicate<SinkRecord> predicate, boolean negate) {}

  public static void main(String[] args) throws Exception {
    JsonNode cases = MAPPER.readTree(new File(args[0]));
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of("schemas.enable", "true", "decimal.format", "NUMERIC", "replace.null.with.default", "false"), false);
    ArrayNode out = MAPPER.createArrayNode();
    for (JsonNode testCase : cases) {
      ObjectNode result = out.addObject();
      result.put("id", testCase.get("id").asText());
      List<Step> steps;
      try {
        steps = buildChain(testCase.get("config"));
      } catch (Throwable error) {
        result.put("configError", describe(error));
        continue;
      }
      ArrayNode results = result.putArray("results");
      for (JsonNode input : testCase.get("records")) {
        ObjectNode recordResult = results.addObject();
        try {
          SinkRecord record = toRecord(input, converter);
          for (Step step : steps) {
            if (record == null) break;
            if (step.predicate() != null && step.predicate().test(record) == step.negate()) continue;
            record = step.transform().apply(record);
          }
          if (record == null) recordResult.put("filtered", true);
          else writeRecord(record, converter, recordResult);
        } catch (Throwable error) {
          recordResult.put("error", describe(error));
        }
      }
    }
    System.out.write(MAPPER.writeValueAsBytes(out));
    System.out.flush();
  }

  private static String describe(Throwable error) {
    return error.getClass().getSimpleName() + ": " + error.getMessage();
  }

  private static Map<String, String> prefixed(JsonNode config, String prefix, List<String> skip) {
    Map<String, String> out = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = config.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      if (!entry.getKey().startsWith(prefix)) continue;
      String key = entry.getKey().substring(prefix.length());
      if (!skip.contains(key)) out.put(key, entry.getValue().asText());
    }
    return out;
  }

  private static String className(String type, String defaultPackage) {
    return type.contains(".") ? type : defaultPackage + type;
  }

  @SuppressWarnings("unchecked")
  private static List<Step> buildChain(JsonNode config) throws Exception {
    Map<String, Predicate<SinkRecord>> predicates = new HashMap<>();
    String predicateList = config.path("predicates").asText("");
    for (String alias : predicateList.isBlank() ? new String[0] : predicateList.split(",")) {
      alias = alias.trim();
      String prefix = "predicates." + alias + ".";
      Predicate<SinkRecord> predicate = (Predicate<SinkRecord>) Class
          .forName(className(config.get(prefix + "type").asText().trim(), PREDICATES))
          .getDeclaredConstructor().newInstance();
      predicate.configure(prefixed(config, prefix, List.of("type")));
      predicates.put(alias, predicate);
    }
    List<Step> steps = new ArrayList<>();
    String transformList = config.path("transforms").asText("");
    for (String alias : transformList.isBlank() ? new String[0] : transformList.split(",")) {
      alias = alias.trim();
      String prefix = "transforms." + alias + ".";
      Transformation<SinkRecord> transform = (Transformation<SinkRecord>) Class
          .forName(className(config.get(prefix + "type").asText().trim(), TRANSFORMS))
          .getDeclaredConstructor().newInstance();
      transform.configure(prefixed(config, prefix, List.of("type", "predicate", "negate")));
      Predicate<SinkRecord> predicate = null;
      if (config.has(prefix + "predicate")) {
        predicate = predicates.get(config.get(prefix + "predicate").asText().trim());
        if (predicate == null) throw new IllegalArgumentException("unknown predicate for " + alias);
      }
      boolean negate = Boolean.parseBoolean(config.path(prefix + "negate").asText("false"));
      steps.add(new Step(transform, predicate, negate));
    }
    return steps;
  }

  private static SchemaAndValue toConnect(JsonNode envelope, JsonConverter converter, String topic) throws Exception {
    if (envelope == null || envelope.isNull()) return SchemaAndValue.NULL;
    return converter.toConnectData(topic, MAPPER.writeValueAsBytes(envelope));
  }

  private static SinkRecord toRecord(JsonNode input, JsonConverter converter) throws Exception {
    String topic = input.get("topic").asText();
    SchemaAndValue key = toConnect(input.get("key"), converter, topic);
    SchemaAndValue value = toConnect(input.get("value"), converter, topic);
    ConnectHeaders headers = new ConnectHeaders();
    for (JsonNode header : input.path("headers")) {
      JsonNode headerValue = header.get("value");
      headers.addString(header.get("key").asText(), headerValue == null || headerValue.isNull() ? null : headerValue.asText());
    }
    Integer partition = input.has("partition") ? input.get("partition").asInt() : null;
    long offset = input.has("offset") ? input.get("offset").asLong() : -1L;
    Long timestamp = input.has("timestamp") && !input.get("timestamp").isNull() ? input.get("timestamp").asLong() : null;
    return new SinkRecord(topic, partition == null ? 0 : partition, key.schema(), key.value(), value.schema(), value.value(),
        offset, timestamp, TimestampType.CREATE_TIME, headers);
  }

  private static JsonNode fromConnect(Schema schema, Object value, JsonConverter converter, String topic) throws Exception {
    byte[] bytes = converter.fromConnectData(topic, schema, value);
    return bytes == null ? MAPPER.nullNode() : MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
  }

  private static void writeRecord(SinkRecord record, JsonConverter converter, ObjectNode out) throws Exception {
    out.put("topic", record.topic());
    out.set("key", fromConnect(record.keySchema(), record.key(), converter, record.topic()));
    out.set("value", fromConnect(record.valueSchema(), record.value(), converter, record.topic()));
    if (record.timestamp() == null) out.putNull("timestamp");
    else out.put("timestamp", record.timestamp());
    ArrayNode headers = out.putArray("headers");
    for (Header header : record.headers()) {
      ObjectNode node = headers.addObject();
      node.put("key", header.key());
      if (header.value() == null) node.putNull("value");
      else node.put("value", Values.convertToString(header.schema(), header.value()));
    }
  }
}
