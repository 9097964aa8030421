import CRdKafka
import KafkaProtocol

extension KafkaError {
    /// An error from an `rd_kafka_resp_err_t`.
    static func rdKafka(
        _ err: rd_kafka_resp_err_t, _ context: String, detail: String? = nil,
        file: String = #fileID, line: UInt = #line
    ) -> KafkaError {
        let name = String(cString: rd_kafka_err2name(err))
        let text = detail ?? String(cString: rd_kafka_err2str(err))
        return KafkaError(
            code(for: err), "\(context): \(text)",
            rdKafkaCode: err.rawValue, rdKafkaName: name,
            isRetriable: isRetriable(err), isFatal: err == RD_KAFKA_RESP_ERR__FATAL,
            file: file, line: line
        )
    }

    /// An error from an `rd_kafka_error_t`, which is destroyed: the caller must not use it again.
    static func rdKafka(consuming error: OpaquePointer, _ context: String, file: String = #fileID, line: UInt = #line) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        return rdKafka(borrowing: error, context, file: file, line: line)
    }

    /// An error from an `rd_kafka_error_t` that librdkafka keeps owning (e.g. inside a result).
    static func rdKafka(borrowing error: OpaquePointer, _ context: String, file: String = #fileID, line: UInt = #line) -> KafkaError {
        let err = rd_kafka_error_code(error)
        var result = KafkaError.rdKafka(err, context, detail: String(cString: rd_kafka_error_string(error)), file: file, line: line)
        result.isRetriable = rd_kafka_error_is_retriable(error) != 0
        result.isFatal = rd_kafka_error_is_fatal(error) != 0
        result.transactionRequiresAbort = rd_kafka_error_txn_requires_abort(error) != 0
        if result.isFatal { result.code = .fatal } else if result.transactionRequiresAbort { result.code = .transaction }
        return result
    }

    /// Throws for a non-null `rd_kafka_error_t` returned by a librdkafka call (and destroys it).
    static func check(_ error: OpaquePointer?, _ context: String, file: String = #fileID, line: UInt = #line) throws {
        if let error { throw KafkaError.rdKafka(consuming: error, context, file: file, line: line) }
    }

    private static func code(for err: rd_kafka_resp_err_t) -> Code {
        switch err {
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
             RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
            return .timedOut
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            return .unknownTopicOrPartition
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: return .topicAlreadyExists
        case RD_KAFKA_RESP_ERR__QUEUE_FULL: return .queueFull
        case RD_KAFKA_RESP_ERR__FATAL: return .fatal
        case RD_KAFKA_RESP_ERR__INVALID_ARG: return .invalidArgument
        default: return .broker
        }
    }

    private static func isRetriable(_ err: rd_kafka_resp_err_t) -> Bool {
        if err.rawValue > 0, err.rawValue <= Int32(Int16.max) {
            return KafkaProtocolErrorCode(rawValue: Int16(err.rawValue)).isRetriable
        }
        switch err {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
             RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE,
             RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR__RESOLVE, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            return true
        default:
            return false
        }
    }
}

extension Duration {
    /// Whole milliseconds for librdkafka's `int timeout_ms` parameters (clamped, never negative).
    var rdKafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, millis))
    }
}
