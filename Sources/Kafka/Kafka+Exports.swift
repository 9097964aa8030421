// Value types every user of the client layer needs, so `import Kafka` is enough.
@_exported import struct KafkaProtocol.TopicPartition
