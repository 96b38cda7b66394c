package sesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.Base64;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

/**
 * The pieces of Java behaviour Connect's transforms expose, exercised directly so each can be compared
 * letter by letter: SimpleDateFormat (as TimestampConverter and TimestampRouter configure it),
 * java.util.regex (as RegexRouter and TopicNameMatches use it) and Values.parseString followed by the
 * header converter (as InsertHeader's literal reaches Kafka).
 */
final class JavaBehaviour {
  private static final SimpleHeaderConverter HEADER_CONVERTER = new SimpleHeaderConverter();

  private JavaBehaviour() {}

  /** {"pattern", "format": [millis as string], "parse": [text]} -> {"error"} | {"formatted", "parsed"}. */
  static JsonNode dateFormat(JsonNode testCase) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    SimpleDateFormat format;
    try {
      format = new SimpleDateFormat(testCase.get("pattern").asText());
      format.setTimeZone(TimeZone.getTimeZone("UTC"));
    } catch (Throwable error) {
      out.put("error", ConnectHarness.describe(error));
      return out;
    }
    ArrayNode formatted = out.putArray("formatted");
    for (JsonNode millis : testCase.path("format")) {
      try {
        formatted.add(format.format(new java.util.Date(Long.parseLong(millis.asText()))));
      } catch (Throwable error) {
        formatted.addObject().put("error", ConnectHarness.describe(error));
      }
    }
    ArrayNode parsed = out.putArray("parsed");
    for (JsonNode text : testCase.path("parse")) {
      try {
        parsed.add(Long.toString(format.parse(text.asText()).getTime()));
      } catch (ParseException error) {
        parsed.addNull();
      } catch (Throwable error) {
        parsed.addObject().put("error", ConnectHarness.describe(error));
      }
    }
    return out;
  }

  /**
   * {"pattern", "replacement"?, "inputs": [text]} -> {"error"} | {"matches": [bool], "replaced": [text|null]}:
   * whether the whole input matches, and Matcher.replaceFirst(replacement) when it does.
   */
  static JsonNode regex(JsonNode testCase) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    Pattern pattern;
    try {
      pattern = Pattern.compile(testCase.get("pattern").asText());
    } catch (Throwable error) {
      out.put("error", ConnectHarness.describe(error));
      return out;
    }
    ArrayNode matches = out.putArray("matches");
    ArrayNode replaced = out.putArray("replaced");
    // Java 17's Unicode data (13.0) for every input character, so a difference that comes from a newer
    // Unicode version on the JavaScript side can be told apart from a translation bug.
    ObjectNode types = out.putObject("types");
    for (JsonNode input : testCase.path("inputs")) {
      input.asText().codePoints().forEach(cp -> types.put(Integer.toString(cp), Character.getType(cp)));
    }
    String replacement = testCase.hasNonNull("replacement") ? testCase.get("replacement").asText() : null;
    for (JsonNode input : testCase.path("inputs")) {
      try {
        Matcher matcher = pattern.matcher(new Deadline(input.asText(), 2000));
        boolean found = matcher.matches();
        matches.add(found);
        if (found && replacement != null) {
          try {
            replaced.add(matcher.replaceFirst(replacement));
          } catch (Throwable error) {
            replaced.addObject().put("error", ConnectHarness.describe(error));
          }
        } else replaced.addNull();
      } catch (Throwable error) {
        matches.addObject().put("error", ConnectHarness.describe(error));
        replaced.addNull();
      }
    }
    return out;
  }

  /** {"inputs": [text]} -> {"results": [{"type", "header"} | {"error"}]}: the header bytes (base64) Kafka gets. */
  static JsonNode parseString(JsonNode testCase) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode results = out.putArray("results");
    for (JsonNode input : testCase.path("inputs")) {
      ObjectNode result = results.addObject();
      try {
        SchemaAndValue parsed = Values.parseString(input.asText());
        if (parsed == null || parsed.value() == null) {
          result.putNull("type");
          result.putNull("header");
          continue;
        }
        result.put("type", parsed.schema() == null ? null : parsed.schema().type().getName());
        byte[] bytes = HEADER_CONVERTER.fromConnectHeader("t", "h", parsed.schema(), parsed.value());
        result.put("header", bytes == null ? null : Base64.getEncoder().encodeToString(bytes));
      } catch (Throwable error) {
        result.put("error", ConnectHarness.describe(error));
      }
    }
    return out;
  }

  /** Stops a runaway (catastrophically backtracking) match instead of hanging the harness. */
  private static final class Deadline implements CharSequence {
    private final String text;
    private final long deadline;

    Deadline(String text, long millis) {
      this.text = text;
      this.deadline = System.nanoTime() + millis * 1_000_000L;
    }

    private Deadline(Deadline parent, int start, int end) {
      this.text = parent.text.substring(start, end);
      this.deadline = parent.deadline;
    }

    @Override
    public char charAt(int index) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("regex match timed out");
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Deadline(this, start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
