package dev.seskafka.interop;

import com.amazonaws.services.schemaregistry.deserializers.GlueSchemaRegistryKafkaDeserializer;
import com.amazonaws.services.schemaregistry.serializers.GlueSchemaRegistryKafkaSerializer;
import com.amazonaws.services.schemaregistry.utils.AWSSchemaRegistryConstants;
import com.amazonaws.services.schemaregistry.utils.AvroRecordType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import software.amazon.awssdk.services.glue.model.DataFormat;

/**
 * One JVM run, both directions, through files in a work directory:
 *
 * <pre>
 *   config.properties   endpoint, region, registry, schemaName, topic, compression (NONE|ZLIB)
 *   decode/NAME.bin     Glue-framed bytes our TypeScript serializer wrote
 *     -> decode/NAME.json  what the AWS deserializer made of them (GenericData JSON)
 *   encode/schema.avsc  the schema the AWS serializer writes with
 *   encode/NAME.json    one Avro-JSON datum each
 *     -> encode/NAME.bin   what the AWS serializer wrote (auto-registering the schema)
 * </pre>
 *
 * Exits non-zero, with the failing file named on stderr, when any step fails.
 */
public final class GlueInterop {
  private GlueInterop() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: GlueInterop <work-dir>");
      System.exit(2);
    }
    Path work = Path.of(args[0]);
    Properties config = new Properties();
    try (InputStream in = Files.newInputStream(work.resolve("config.properties"))) {
      config.load(in);
    }
    String topic = required(config, "topic");
    int decoded = decodeAll(work.resolve("decode"), commonConfig(config), topic);
    int encoded = encodeAll(work.resolve("encode"), config, topic);
    System.out.printf("decoded=%d encoded=%d%n", decoded, encoded);
  }

  private static String required(Properties config, String key) {
    String value = config.getProperty(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("config.properties: " + key + " is required");
    }
    return value;
  }

  private static Map<String, Object> commonConfig(Properties config) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(AWSSchemaRegistryConstants.AWS_ENDPOINT, required(config, "endpoint"));
    settings.put(AWSSchemaRegistryConstants.AWS_REGION, required(config, "region"));
    settings.put(AWSSchemaRegistryConstants.AVRO_RECORD_TYPE, AvroRecordType.GENERIC_RECORD.getName());
    return settings;
  }

  private static List<Path> filesEndingWith(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(path -> path.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static Path sibling(Path file, String fromSuffix, String toSuffix) {
    String name = file.getFileName().toString();
    return file.resolveSibling(name.substring(0, name.length() - fromSuffix.length()) + toSuffix);
  }

  private static int decodeAll(Path dir, Map<String, Object> settings, String topic) throws IOException {
    List<Path> inputs = filesEndingWith(dir, ".bin");
    try (GlueSchemaRegistryKafkaDeserializer deserializer = new GlueSchemaRegistryKafkaDeserializer()) {
      deserializer.configure(settings, false);
      for (Path input : inputs) {
        Object value;
        try {
          value = deserializer.deserialize(topic, Files.readAllBytes(input));
        } catch (RuntimeException e) {
          throw new IllegalStateException("AWS deserializer failed on " + input + ": " + e, e);
        }
        Files.writeString(sibling(input, ".bin", ".json"), GenericData.get().toString(value), StandardCharsets.UTF_8);
      }
    }
    return inputs.size();
  }

  private static int encodeAll(Path dir, Properties config, String topic) throws IOException {
    List<Path> inputs = filesEndingWith(dir, ".json");
    if (inputs.isEmpty()) {
      return 0;
    }
    Schema schema = new Schema.Parser().parse(dir.resolve("schema.avsc").toFile());
    Map<String, Object> settings = commonConfig(config);
    settings.put(AWSSchemaRegistryConstants.REGISTRY_NAME, required(config, "registry"));
    settings.put(AWSSchemaRegistryConstants.SCHEMA_NAME, required(config, "schemaName"));
    settings.put(AWSSchemaRegistryConstants.DATA_FORMAT, DataFormat.AVRO.name());
    settings.put(AWSSchemaRegistryConstants.SCHEMA_AUTO_REGISTRATION_SETTING, true);
    settings.put(AWSSchemaRegistryConstants.COMPRESSION_TYPE, config.getProperty("compression", "NONE"));
    GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
    try (GlueSchemaRegistryKafkaSerializer serializer = new GlueSchemaRegistryKafkaSerializer()) {
      serializer.configure(settings, false);
      for (Path input : inputs) {
        GenericRecord record = reader.read(null, DecoderFactory.get().jsonDecoder(schema, Files.readString(input)));
        byte[] bytes;
        try {
          bytes = serializer.serialize(topic, record);
        } catch (RuntimeException e) {
          throw new IllegalStateException("AWS serializer failed on " + input + ": " + e, e);
        }
        Files.write(sibling(input, ".json", ".bin"), bytes);
      }
    }
    return inputs.size();
  }
}
