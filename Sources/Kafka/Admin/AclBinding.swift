import CRdKafka

/// An access-control entry bound to a resource pattern, as Kafka's `AclBinding`.
/// Raw values are the Kafka protocol's codes.
public struct AclBinding: Hashable, Sendable {
    public enum ResourceType: Int32, Sendable { case unknown = 0, any = 1, topic = 2, group = 3, broker = 4 }
    public enum PatternType: Int32, Sendable { case unknown = 0, any = 1, match = 2, literal = 3, prefixed = 4 }
    public enum Operation: Int32, Sendable {
        case unknown = 0, any = 1, all = 2, read = 3, write = 4, create = 5, delete = 6, alter = 7
        case describe = 8, clusterAction = 9, describeConfigs = 10, alterConfigs = 11, idempotentWrite = 12
    }
    public enum PermissionType: Int32, Sendable { case unknown = 0, any = 1, deny = 2, allow = 3 }

    public var resourceType: ResourceType
    public var resourceName: String
    public var patternType: PatternType
    public var principal: String
    public var host: String
    public var operation: Operation
    public var permissionType: PermissionType

    public init(
        resourceType: ResourceType, resourceName: String, patternType: PatternType = .literal,
        principal: String, host: String = "*", operation: Operation, permissionType: PermissionType
    ) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permissionType = permissionType
    }

    /// Copies a binding librdkafka owns.
    init(copying acl: OpaquePointer) {
        resourceType = ResourceType(rawValue: Int32(rd_kafka_AclBinding_restype(acl).rawValue)) ?? .unknown
        resourceName = String(cString: rd_kafka_AclBinding_name(acl))
        patternType = PatternType(rawValue: Int32(rd_kafka_AclBinding_resource_pattern_type(acl).rawValue)) ?? .unknown
        principal = String(cString: rd_kafka_AclBinding_principal(acl))
        host = String(cString: rd_kafka_AclBinding_host(acl))
        operation = Operation(rawValue: Int32(rd_kafka_AclBinding_operation(acl).rawValue)) ?? .unknown
        permissionType = PermissionType(rawValue: Int32(rd_kafka_AclBinding_permission_type(acl).rawValue)) ?? .unknown
    }
}

/// Which ACL bindings to describe; `nil` strings match any value.
public struct AclBindingFilter: Hashable, Sendable {
    public var resourceType: AclBinding.ResourceType
    public var resourceName: String?
    public var patternType: AclBinding.PatternType
    public var principal: String?
    public var host: String?
    public var operation: AclBinding.Operation
    public var permissionType: AclBinding.PermissionType

    public init(
        resourceType: AclBinding.ResourceType = .any, resourceName: String? = nil, patternType: AclBinding.PatternType = .any,
        principal: String? = nil, host: String? = nil, operation: AclBinding.Operation = .any,
        permissionType: AclBinding.PermissionType = .any
    ) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permissionType = permissionType
    }

    /// Matches every binding on topics.
    public static let anyTopic = AclBindingFilter(resourceType: .topic)
}
