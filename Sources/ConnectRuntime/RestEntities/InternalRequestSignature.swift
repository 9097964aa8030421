import Crypto
import Foundation

/// The signature on an internal worker-to-worker request (KIP-507): the Base64 HMAC of the body
/// in `X-Connect-Authorization`, the JCA algorithm name in `X-Connect-Request-Signature-Algorithm`.
///
/// The REST server extracts it with ``init(signatureHeader:algorithmHeader:body:)``; the herder
/// checks the algorithm against its allowed list and verifies it with ``isValid(key:)``
/// against the current session key. Followers sign with ``headers(body:key:algorithm:)``.
public struct InternalRequestSignature: Sendable, Hashable {
    public static let signatureHeader = "X-Connect-Authorization"
    public static let algorithmHeader = "X-Connect-Request-Signature-Algorithm"
    /// The default of `inter.worker.signature.algorithm`.
    public static let defaultAlgorithm = "HmacSHA256"

    /// The algorithm name as the sender wrote it (Apache compares it verbatim with the worker's
    /// `inter.worker.verification.algorithms`).
    public let algorithm: String
    /// The decoded signature bytes.
    public let signature: [UInt8]
    /// The exact request body that was signed.
    public let body: [UInt8]

    public init(algorithm: String, signature: [UInt8], body: [UInt8]) {
        self.algorithm = algorithm
        self.signature = signature
        self.body = body
    }

    /// Reads the signature headers of a request.
    /// - Returns: `nil` when either header is missing (the herder decides whether that is
    ///   allowed).
    /// - Throws: ``ConnectRestError`` `badRequest` for an algorithm no MAC exists for
    ///   ("Algorithm X not available", as Java's JCA says) or a signature that is not Base64.
    public init?(signatureHeader: String?, algorithmHeader: String?, body: [UInt8]) throws(ConnectRestError) {
        guard let algorithmHeader, let signatureHeader else { return nil }
        guard MACAlgorithm(javaName: algorithmHeader) != nil else {
            throw .badRequest("Algorithm \(algorithmHeader) not available")
        }
        guard let decoded = InternalRequestSignature.decodeBase64(signatureHeader) else {
            throw .badRequest("The \(InternalRequestSignature.signatureHeader) header is not valid Base64")
        }
        self.init(algorithm: algorithmHeader, signature: decoded, body: body)
    }

    /// The leader's check of an internal request under the `sessioned` protocol, in Apache's
    /// order: missing signature (400), algorithm not in `verificationAlgorithms` (400), no
    /// session key read yet (503), wrong signature (403).
    /// - Parameters:
    ///   - verificationAlgorithms: the worker's `inter.worker.verification.algorithms`.
    ///   - sessionKey: the current session key's bytes, `nil` before one was read.
    public static func verify(
        _ signature: InternalRequestSignature?,
        verificationAlgorithms: [String],
        sessionKey: [UInt8]?
    ) throws(ConnectRestError) {
        guard let signature else { throw ConnectRestError.internalRequestMissingSignature }
        guard verificationAlgorithms.contains(signature.algorithm) else {
            throw ConnectRestError.unsupportedSignatureAlgorithm(signature.algorithm, allowed: verificationAlgorithms)
        }
        guard let sessionKey else { throw ConnectRestError.noSessionKeyYet }
        guard signature.isValid(key: sessionKey) else { throw ConnectRestError.invalidSignature }
    }

    /// True if `signature` is the HMAC of `body` under `key` (compared in constant time).
    public func isValid(key: [UInt8]) -> Bool {
        guard let expected = try? InternalRequestSignature.sign(body: body, key: key, algorithm: algorithm),
              expected.count == signature.count
        else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(expected, signature) { difference |= left ^ right }
        return difference == 0
    }

    /// The HMAC of `body` under `key`.
    /// - Throws: ``ConnectRestError`` `badRequest` if `algorithm` is not one of `HmacSHA256`,
    ///   `HmacSHA384`, `HmacSHA512`, `HmacSHA1`, `HmacMD5` (case-insensitive).
    public static func sign(body: [UInt8], key: [UInt8], algorithm: String) throws(ConnectRestError) -> [UInt8] {
        guard let mac = MACAlgorithm(javaName: algorithm) else {
            throw .badRequest("Algorithm \(algorithm) not available")
        }
        return mac.authenticationCode(for: body, key: SymmetricKey(data: key))
    }

    /// The two headers that sign `body` with `key`, for a follower's request to the leader.
    public static func headers(
        body: [UInt8], key: [UInt8], algorithm: String = defaultAlgorithm
    ) throws(ConnectRestError) -> [String: String] {
        let signature = try sign(body: body, key: key, algorithm: algorithm)
        return [
            signatureHeader: Data(signature).base64EncodedString(),
            algorithmHeader: algorithm,
        ]
    }

    /// Java's basic Base64 decoder: padding optional, no line breaks.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        var padded = text
        if padded.utf8.count % 4 != 0 {
            padded += String(repeating: "=", count: 4 - padded.utf8.count % 4)
        }
        return Data(base64Encoded: padded).map(Array.init)
    }
}

/// The JCA MAC algorithms swift-crypto can compute: what `inter.worker.signature.algorithm`,
/// `inter.worker.verification.algorithms` and `inter.worker.key.generation.algorithm` accept
/// (Apache accepts whatever its JVM provides; these are the HMACs every JVM has, less
/// HmacSHA224 and the SHA-3 family, which swift-crypto lacks). Names match case-insensitively,
/// as JCA lookups do.
enum MACAlgorithm: CaseIterable {
    case md5, sha1, sha256, sha384, sha512

    init?(javaName: String) {
        guard let algorithm = Self.allCases.first(where: { $0.javaName.lowercased() == javaName.lowercased() }) else {
            return nil
        }
        self = algorithm
    }

    /// The JCA name, e.g. `HmacSHA256`.
    var javaName: String {
        switch self {
        case .md5: "HmacMD5"
        case .sha1: "HmacSHA1"
        case .sha256: "HmacSHA256"
        case .sha384: "HmacSHA384"
        case .sha512: "HmacSHA512"
        }
    }

    /// The key size in bits the JVM's `KeyGenerator` uses when `inter.worker.key.size` is unset.
    var defaultKeySizeBits: Int32 {
        switch self {
        case .md5, .sha1, .sha512: 512
        case .sha256: 256
        case .sha384: 384
        }
    }

    /// The smallest key size the JVM's `KeyGenerator` accepts (40 bits for the SHA-2 family).
    var minimumKeySizeBits: Int32 {
        switch self {
        case .md5, .sha1: 1
        case .sha256, .sha384, .sha512: 40
        }
    }

    /// Every supported JCA name, for error messages.
    static var javaNames: [String] { allCases.map(\.javaName) }

    func authenticationCode(for body: [UInt8], key: SymmetricKey) -> [UInt8] {
        switch self {
        case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: body, using: key))
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: body, using: key))
        case .sha384: Array(HMAC<SHA384>.authenticationCode(for: body, using: key))
        case .sha512: Array(HMAC<SHA512>.authenticationCode(for: body, using: key))
        case .md5: Array(HMAC<Insecure.MD5>.authenticationCode(for: body, using: key))
        }
    }
}
