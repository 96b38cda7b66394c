"""Decode Confluent-framed Avro files with confluent-kafka's AvroDeserializer.

usage: confluent_decode.py REGISTRY_URL TOPIC FILE...
Prints one JSON line per file: {"file": ..., "value": ...}. Exits 1, naming the file, on the first failure.
This is the Python warehouse consumer's view of our bytes; the mocha test compares it with what we wrote.
"""

import json
import sys

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    registry_url, topic, files = argv[0], argv[1], argv[2:]
    client = SchemaRegistryClient({"url": registry_url})
    deserializer = AvroDeserializer(client)
    context = SerializationContext(topic, MessageField.VALUE)
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            value = deserializer(data, context)
        except Exception as error:  # report which file, then stop: the test shows this text
            print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        print(json.dumps({"file": path, "value": value}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
