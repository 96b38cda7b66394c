package sesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * The harness's own typed JSON form of Connect schemas and values, used in both directions.
 * It is not the JsonConverter on purpose: the converter refuses a null value for a required schema
 * (a state a transform can be handed) and cannot carry NaN, and JavaScript cannot read a 64-bit
 * integer from a JSON number. So: int64 (and Timestamp millis) travel as decimal strings, non-finite
 * floats as the strings "NaN", "Infinity", "-Infinity", bytes as base64, Date as days and Time as
 * millis of the day (their Connect integer forms).
 * Schema: {"type", "optional", "name", "version", "doc", "default", "fields": [{"name", "schema"}],
 * "items", "keys", "values"}.
 */
final class ConnectJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ConnectJson() {}

  static Schema toSchema(JsonNode json) {
    if (json == null || json.isNull()) return null;
    String type = json.get("type").asText();
    SchemaBuilder builder;
    switch (type) {
      case "int8": builder = SchemaBuilder.int8(); break;
      case "int16": builder = SchemaBuilder.int16(); break;
      case "int32": builder = SchemaBuilder.int32(); break;
      case "int64": builder = SchemaBuilder.int64(); break;
      case "float32": builder = SchemaBuilder.float32(); break;
      case "float64": builder = SchemaBuilder.float64(); break;
      case "boolean": builder = SchemaBuilder.bool(); break;
      case "string": builder = SchemaBuilder.string(); break;
      case "bytes": builder = SchemaBuilder.bytes(); break;
      case "array": builder = SchemaBuilder.array(toSchema(json.get("items"))); break;
      case "map": builder = SchemaBuilder.map(toSchema(json.get("keys")), toSchema(json.get("values"))); break;
      case "struct":
        builder = SchemaBuilder.struct();
        for (JsonNode field : json.get("fields")) builder.field(field.get("name").asText(), toSchema(field.get("schema")));
        break;
      default: throw new IllegalArgumentException("unknown schema type " + type);
    }
    if (json.hasNonNull("name")) builder.name(json.get("name").asText());
    if (json.hasNonNull("version")) builder.version(json.get("version").asInt());
    if (json.hasNonNull("doc")) builder.doc(json.get("doc").asText());
    if (json.path("optional").asBoolean(false)) builder.optional();
    if (json.hasNonNull("default")) {
      Schema withoutDefault = builder.build();
      builder.defaultValue(toValue(withoutDefault, json.get("default")));
    }
    return builder.build();
  }

  static JsonNode fromSchema(Schema schema) {
    if (schema == null) return NODES.nullNode();
    ObjectNode out = NODES.objectNode();
    out.put("type", schema.type().getName());
    out.put("optional", schema.isOptional());
    if (schema.name() != null) out.put("name", schema.name());
    if (schema.version() != null) out.put("version", schema.version());
    if (schema.doc() != null) out.put("doc", schema.doc());
    switch (schema.type()) {
      case STRUCT: {
        ArrayNode fields = out.putArray("fields");
        for (Field field : schema.fields()) {
          ObjectNode node = fields.addObject();
          node.put("name", field.name());
          node.set("schema", fromSchema(field.schema()));
        }
        break;
      }
      case ARRAY: out.set("items", fromSchema(schema.valueSchema())); break;
      case MAP:
        out.set("keys", fromSchema(schema.keySchema()));
        out.set("values", fromSchema(schema.valueSchema()));
        break;
      default: break;
    }
    if (schema.defaultValue() != null) out.set("default", fromValue(schema, schema.defaultValue()));
    return out;
  }

  private static boolean isLogical(Schema schema, String name) {
    return name.equals(schema.name());
  }

  static Object toValue(Schema schema, JsonNode json) {
    if (json == null || json.isNull()) return null;
    if (isLogical(schema, Timestamp.LOGICAL_NAME)) return Timestamp.toLogical(schema, Long.parseLong(json.asText()));
    if (isLogical(schema, Date.LOGICAL_NAME)) return Date.toLogical(schema, json.asInt());
    if (isLogical(schema, Time.LOGICAL_NAME)) return Time.toLogical(schema, json.asInt());
    switch (schema.type()) {
      case INT8: return (byte) json.asInt();
      case INT16: return (short) json.asInt();
      case INT32: return json.asInt();
      case INT64: return Long.parseLong(json.asText());
      case FLOAT32: return (float) floating(json);
      case FLOAT64: return floating(json);
      case BOOLEAN: return json.asBoolean();
      case STRING: return json.asText();
      case BYTES: return Base64.getDecoder().decode(json.asText());
      case ARRAY: {
        List<Object> out = new ArrayList<>();
        for (JsonNode item : json) out.add(toValue(schema.valueSchema(), item));
        return out;
      }
      case MAP: {
        Map<Object, Object> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> entries = json.fields();
        while (entries.hasNext()) {
          Map.Entry<String, JsonNode> entry = entries.next();
          out.put(entry.getKey(), toValue(schema.valueSchema(), entry.getValue()));
        }
        return out;
      }
      case STRUCT: {
        Struct struct = new Struct(schema);
        for (Field field : schema.fields()) {
          JsonNode fieldJson = json.get(field.name());
          struct.put(field, toValue(field.schema(), fieldJson));
        }
        return struct;
      }
      default: throw new IllegalArgumentException("unsupported type " + schema.type());
    }
  }

  private static double floating(JsonNode json) {
    if (json.isTextual()) return Double.parseDouble(json.asText());
    return json.asDouble();
  }

  private static JsonNode floatingNode(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) return NODES.textNode(Double.toString(value));
    if (value == 0 && 1 / value < 0) return NODES.textNode("-0.0");
    return NODES.numberNode(value);
  }

  /** Schemaless values (a null schema, e.g. after a schemaless transform) are written by their Java class. */
  static JsonNode fromValue(Schema schema, Object value) {
    if (value == null) return NODES.nullNode();
    if (schema == null) return fromSchemalessValue(value);
    if (isLogical(schema, Timestamp.LOGICAL_NAME)) return NODES.textNode(Long.toString(((java.util.Date) value).getTime()));
    if (isLogical(schema, Date.LOGICAL_NAME)) return NODES.numberNode(Date.fromLogical(schema, (java.util.Date) value));
    if (isLogical(schema, Time.LOGICAL_NAME)) return NODES.numberNode(Time.fromLogical(schema, (java.util.Date) value));
    switch (schema.type()) {
      case INT8: case INT16: case INT32: return NODES.numberNode(((Number) value).intValue());
      case INT64: return NODES.textNode(Long.toString((Long) value));
      case FLOAT32: return floatingNode((Float) value);
      case FLOAT64: return floatingNode((Double) value);
      case BOOLEAN: return NODES.booleanNode((Boolean) value);
      case STRING: return NODES.textNode((String) value);
      case BYTES: {
        byte[] bytes = value instanceof ByteBuffer buffer ? toArray(buffer) : (byte[]) value;
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      }
      case ARRAY: {
        ArrayNode out = NODES.arrayNode();
        for (Object item : (List<?>) value) out.add(fromValue(schema.valueSchema(), item));
        return out;
      }
      case MAP: {
        ObjectNode out = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
          out.set(String.valueOf(entry.getKey()), fromValue(schema.valueSchema(), entry.getValue()));
        }
        return out;
      }
      case STRUCT: {
        Struct struct = (Struct) value;
        ObjectNode out = NODES.objectNode();
        for (Field field : schema.fields()) out.set(field.name(), fromValue(field.schema(), struct.getWithoutDefault(field.name())));
        return out;
      }
      default: throw new IllegalArgumentException("unsupported type " + schema.type());
    }
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  private static JsonNode fromSchemalessValue(Object value) {
    if (value instanceof Long number) return NODES.textNode(Long.toString(number));
    if (value instanceof Double number) return floatingNode(number);
    if (value instanceof Float number) return floatingNode(number);
    if (value instanceof Number number) return NODES.numberNode(number.intValue());
    if (value instanceof Boolean flag) return NODES.booleanNode(flag);
    if (value instanceof String text) return NODES.textNode(text);
    if (value instanceof byte[] bytes) return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
    if (value instanceof java.util.Date date) return NODES.textNode(Long.toString(date.getTime()));
    if (value instanceof Struct struct) return fromValue(struct.schema(), struct);
    if (value instanceof List<?> list) {
      ArrayNode out = NODES.arrayNode();
      for (Object item : list) out.add(fromSchemalessValue(item));
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode out = NODES.objectNode();
      for (Map.Entry<?, ?> entry : map.entrySet()) out.set(String.valueOf(entry.getKey()), entry.getValue() == null ? NODES.nullNode() : fromSchemalessValue(entry.getValue()));
      return out;
    }
    return NODES.textNode(String.valueOf(value));
  }
}
