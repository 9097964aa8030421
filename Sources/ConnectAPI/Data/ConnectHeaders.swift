/// One record header as Connect sees it: a key and a value with an optional schema.
public struct ConnectHeader: Hashable, Sendable {
    public var key: String
    public var schema: Schema?
    public var value: ConnectValue

    public init(key: String, schema: Schema?, value: ConnectValue) {
        self.key = key
        self.schema = schema
        self.value = value
    }
}

/// The ordered headers of a Connect record, like Kafka's `ConnectHeaders`: keys may repeat,
/// and order is kept.
public struct ConnectHeaders: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public private(set) var headers: [ConnectHeader]

    public init(_ headers: [ConnectHeader] = []) { self.headers = headers }
    public init(arrayLiteral elements: ConnectHeader...) { headers = elements }

    public var startIndex: Int { headers.startIndex }
    public var endIndex: Int { headers.endIndex }
    public subscript(position: Int) -> ConnectHeader { headers[position] }

    /// Appends a header.
    public mutating func add(_ header: ConnectHeader) { headers.append(header) }

    /// Appends a header with `key`, `schema` and `value`.
    public mutating func add(_ key: String, schema: Schema?, value: ConnectValue) {
        headers.append(ConnectHeader(key: key, schema: schema, value: value))
    }

    /// Appends a string header (optional string schema; `nil` adds a null value).
    public mutating func addString(_ key: String, _ value: String?) {
        add(key, schema: .optionalString, value: value.map(ConnectValue.string) ?? .null)
    }

    /// Appends a raw bytes header (optional bytes schema; `nil` adds a null value).
    public mutating func addBytes(_ key: String, _ value: [UInt8]?) {
        add(key, schema: .optionalBytes, value: value.map(ConnectValue.bytes) ?? .null)
    }

    /// The last header with `key`.
    public func lastWithName(_ key: String) -> ConnectHeader? {
        headers.last { $0.key == key }
    }

    /// Every header with `key`, in order.
    public func allWithName(_ key: String) -> [ConnectHeader] {
        headers.filter { $0.key == key }
    }

    /// Removes every header with `key`.
    public mutating func remove(_ key: String) {
        headers.removeAll { $0.key == key }
    }

    /// Removes all headers.
    public mutating func clear() { headers.removeAll() }
}
