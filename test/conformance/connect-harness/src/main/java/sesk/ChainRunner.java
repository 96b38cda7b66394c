package sesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * Runs one chain case: builds the transforms and predicates from connector-style keys exactly as a
 * worker does (class, configure with the prefix stripped), then applies them to each record.
 * Case: {"config", "keySchema", "valueSchema", "records": [{"topic", "partition", "offset",
 * "timestamp", "key", "value", "headers": [{"key", "value" (string) | "bytes" (base64) | neither}]}]}.
 * Result: {"configError"} or {"results": [{"error"} | {"filtered": true} | record]}, where a record is
 * {"topic", "timestamp", "keySchema", "key", "valueSchema", "value", "headers": [{"key", "value"}]}
 * and a header value is the base64 of the bytes Connect's SimpleHeaderConverter would write (or null).
 */
final class ChainRunner {
  private static final String TRANSFORMS = "org.apache.kafka.connect.transforms.";
  private static final String PREDICATES = "org.apache.kafka.connect.transforms.predicates.";
  private static final SimpleHeaderConverter HEADER_CONVERTER = new SimpleHeaderConverter();

  private record Step(Transformation<SinkRecord> transform, Predicate<SinkRecord> predicate, boolean negate) {}

  private ChainRunner() {}

  static JsonNode run(JsonNode testCase) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    List<Step> steps;
    Schema keySchema;
    Schema valueSchema;
    try {
      keySchema = ConnectJson.toSchema(testCase.get("keySchema"));
      valueSchema = ConnectJson.toSchema(testCase.get("valueSchema"));
    } catch (Throwable error) {
      result.put("inputError", ConnectHarness.describe(error));
      return result;
    }
    try {
      steps = buildChain(testCase.get("config"));
    } catch (Throwable error) {
      result.put("configError", ConnectHarness.describe(error));
      return result;
    }
    ArrayNode results = result.putArray("results");
    for (JsonNode input : testCase.get("records")) {
      ObjectNode recordResult = results.addObject();
      SinkRecord record;
      try {
        record = toRecord(input, keySchema, valueSchema);
      } catch (Throwable error) {
        recordResult.put("inputError", ConnectHarness.describe(error));
        continue;
      }
      try {
        for (Step step : steps) {
          if (record == null) break;
          if (step.predicate() != null && step.predicate().test(record) == step.negate()) continue;
          record = step.transform().apply(record);
        }
        if (record == null) recordResult.put("filtered", true);
        else writeRecord(record, recordResult);
      } catch (Throwable error) {
        recordResult.removeAll();
        recordResult.put("error", ConnectHarness.describe(error));
      }
    }
    for (Step step : steps) {
      step.transform().close();
      if (step.predicate() != null) step.predicate().close();
    }
    return result;
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

  private static String[] aliases(JsonNode config, String key) {
    String list = config.path(key).asText("");
    if (list.isBlank()) return new String[0];
    String[] out = list.split(",");
    for (int i = 0; i < out.length; i++) out[i] = out[i].trim();
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Step> buildChain(JsonNode config) throws Exception {
    Map<String, Predicate<SinkRecord>> predicates = new HashMap<>();
    for (String alias : aliases(config, "predicates")) {
      String prefix = "predicates." + alias + ".";
      Predicate<SinkRecord> predicate = (Predicate<SinkRecord>) Class
          .forName(className(config.get(prefix + "type").asText().trim(), PREDICATES))
          .getDeclaredConstructor().newInstance();
      predicate.configure(prefixed(config, prefix, List.of("type")));
      predicates.put(alias, predicate);
    }
    List<Step> steps = new ArrayList<>();
    for (String alias : aliases(config, "transforms")) {
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
      steps.add(new Step(transform, predicate, negate(config, prefix)));
    }
    return steps;
  }

  /**
   * As the worker's ConnectorConfig does: negate is a BOOLEAN key (validated trimmed and case-insensitively),
   * only allowed next to a predicate, and then read with Boolean.parseBoolean on the raw text.
   */
  private static boolean negate(JsonNode config, String prefix) {
    if (!config.has(prefix + "negate")) return false;
    if (!config.has(prefix + "predicate")) {
      throw new ConfigException("Config '" + prefix + "negate' was provided but there is no config '" + prefix
          + "predicate' defining a predicate to be negated.");
    }
    String raw = config.get(prefix + "negate").asText();
    String trimmed = raw.trim();
    if (!trimmed.equalsIgnoreCase("true") && !trimmed.equalsIgnoreCase("false")) {
      throw new ConfigException(prefix + "negate", raw, "Expected value to be either true or false");
    }
    return Boolean.parseBoolean(raw);
  }

  private static SinkRecord toRecord(JsonNode input, Schema keySchema, Schema valueSchema) {
    String topic = input.get("topic").asText();
    Object key = ConnectJson.toValue(keySchema, input.get("key"));
    Object value = ConnectJson.toValue(valueSchema, input.get("value"));
    ConnectHeaders headers = new ConnectHeaders();
    for (JsonNode header : input.path("headers")) {
      String name = header.get("key").asText();
      if (header.hasNonNull("bytes")) headers.addBytes(name, Base64.getDecoder().decode(header.get("bytes").asText()));
      else if (header.hasNonNull("value")) headers.addString(name, header.get("value").asText());
      else headers.addString(name, null);
    }
    int partition = input.path("partition").asInt(0);
    long offset = input.has("offset") ? input.get("offset").asLong() : -1L;
    Long timestamp = input.hasNonNull("timestamp") ? Long.parseLong(input.get("timestamp").asText()) : null;
    return new SinkRecord(topic, partition, keySchema, key, valueSchema, value, offset, timestamp,
        TimestampType.CREATE_TIME, headers);
  }

  private static void writeRecord(SinkRecord record, ObjectNode out) {
    // A converter validates every struct before writing it (a required field left null fails the
    // record); Kafka Connect would fail the record there, one step after the transforms.
    if (record.key() instanceof Struct key) key.validate();
    if (record.value() instanceof Struct value) value.validate();
    out.put("topic", record.topic());
    if (record.timestamp() == null) out.putNull("timestamp");
    else out.put("timestamp", Long.toString(record.timestamp()));
    out.set("keySchema", ConnectJson.fromSchema(record.keySchema()));
    out.set("key", ConnectJson.fromValue(record.keySchema(), record.key()));
    out.set("valueSchema", ConnectJson.fromSchema(record.valueSchema()));
    out.set("value", ConnectJson.fromValue(record.valueSchema(), record.value()));
    ArrayNode headers = out.putArray("headers");
    for (Header header : record.headers()) {
      ObjectNode node = headers.addObject();
      node.put("key", header.key());
      byte[] bytes = HEADER_CONVERTER.fromConnectHeader(record.topic(), header.key(), header.schema(), header.value());
      if (bytes == null) node.putNull("value");
      else node.put("value", Base64.getEncoder().encodeToString(bytes));
    }
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
