/// An error raised by the Connect worker runtime: invalid arguments, malformed internal-topic
/// records and malformed configuration files.
///
/// Binary group-protocol metadata is decoded with `KafkaProtocol`'s reader and reports
/// `KafkaProtocolDecodingError` instead, which carries the failing byte offset.
public struct ConnectRuntimeError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case invalidArgument
            case malformedRecord
            case malformedProperties
        }

        private let backing: Backing

        private init(_ backing: Backing) { self.backing = backing }

        /// A value handed to an initializer is out of range or not representable on the wire.
        public static let invalidArgument = Code(.invalidArgument)
        /// A record key or value read from an internal topic does not have the expected shape.
        public static let malformedRecord = Code(.malformedRecord)
        /// A Java `.properties` document could not be parsed.
        public static let malformedProperties = Code(.malformedProperties)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    public var message: String
    public var file: String
    public var line: UInt

    public init(_ code: Code, _ message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(code): \(message)" }
}
