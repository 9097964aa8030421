/// The properties every connector accepts regardless of its class (Kafka's
/// `ConnectorConfig.configDef()`): name, class, task limit, converters, transformation and
/// predicate aliases, reload action and error handling.
public enum ConnectorConfig {
    public static let commonGroup = "Common"
    public static let transformsGroup = "Transforms"
    public static let predicatesGroup = "Predicates"
    public static let errorGroup = "Error Handling"

    public static let name = "name"
    public static let connectorClass = "connector.class"
    public static let tasksMax = "tasks.max"
    public static let tasksMaxEnforce = "tasks.max.enforce"
    public static let keyConverter = "key.converter"
    public static let valueConverter = "value.converter"
    public static let headerConverter = "header.converter"
    public static let transforms = "transforms"
    public static let predicates = "predicates"
    public static let configActionReload = "config.action.reload"
    public static let errorsRetryTimeout = "errors.retry.timeout"
    public static let errorsRetryMaxDelay = "errors.retry.delay.max.ms"
    public static let errorsTolerance = "errors.tolerance"
    public static let errorsLogEnable = "errors.log.enable"
    public static let errorsLogIncludeMessages = "errors.log.include.messages"

    /// Default of ``tasksMax``.
    public static let tasksMaxDefault: Int32 = 1

    /// The definition shared by all connectors; connector-specific keys are appended to it.
    public static let configDef = ConfigDef()
        .define(name, .string, validator: .nonEmptyStringWithoutControlChars, importance: .high,
                documentation: "Unique name of the connector within the Connect cluster.",
                group: commonGroup, orderInGroup: 1, width: .medium, displayName: "Connector name")
        .define(connectorClass, .string, importance: .high,
                documentation: "Class name or alias of the connector, e.g. org.apache.kafka.connect.mirror.MirrorSourceConnector or MirrorSourceConnector.",
                group: commonGroup, orderInGroup: 2, width: .long, displayName: "Connector class")
        .define(tasksMax, .int, defaultValue: .int(tasksMaxDefault), validator: .atLeast(1), importance: .high,
                documentation: "Upper bound on the number of tasks the connector may run.",
                group: commonGroup, orderInGroup: 3, width: .short, displayName: "Tasks max")
        .define(tasksMaxEnforce, .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Deprecated. Whether a connector producing more task configs than tasks.max is failed (true) or tolerated (false).",
                group: commonGroup, orderInGroup: 4, width: .short, displayName: "Enforce tasks max")
        .define(keyConverter, .class, defaultValue: .null, importance: .low,
                documentation: "Converter for record keys; the worker's key.converter when unset.",
                group: commonGroup, orderInGroup: 5, width: .short, displayName: "Key converter class")
        .define(valueConverter, .class, defaultValue: .null, importance: .low,
                documentation: "Converter for record values; the worker's value.converter when unset.",
                group: commonGroup, orderInGroup: 6, width: .short, displayName: "Value converter class")
        .define(headerConverter, .class, defaultValue: .null, importance: .low,
                documentation: "Converter for record headers; the worker's header.converter when unset.",
                group: commonGroup, orderInGroup: 7, width: .short, displayName: "Header converter class")
        .define(transforms, .list, defaultValue: .list([]), validator: uniqueAliases("transformation"), importance: .low,
                documentation: "Aliases of the transformations applied to records, in order.",
                group: transformsGroup, orderInGroup: 8, width: .long, displayName: "Transforms")
        .define(predicates, .list, defaultValue: .list([]), validator: uniqueAliases("predicate"), importance: .low,
                documentation: "Aliases of the predicates that transformations may refer to.",
                group: predicatesGroup, orderInGroup: 9, width: .long, displayName: "Predicates")
        .define(configActionReload, .string, defaultValue: .string("restart"), validator: .in("none", "restart"),
                importance: .low,
                documentation: "What happens when a config provider reports changed values: 'restart' restarts the connector with them, 'none' does nothing.",
                group: commonGroup, orderInGroup: 10, width: .medium, displayName: "Reload Action")
        .define(errorsRetryTimeout, .long, defaultValue: .long(0), importance: .medium,
                documentation: "How long, in milliseconds, a failed operation is retried; 0 means never, -1 means forever.",
                group: errorGroup, orderInGroup: 1, width: .medium, displayName: "Retry Timeout for Errors")
        .define(errorsRetryMaxDelay, .long, defaultValue: .long(60_000), importance: .medium,
                documentation: "Longest wait, in milliseconds, between two retries; jitter is added beyond it.",
                group: errorGroup, orderInGroup: 2, width: .medium, displayName: "Maximum Delay Between Retries for Errors")
        .define(errorsTolerance, .string, defaultValue: .string("none"), validator: .in("none", "all"), importance: .medium,
                documentation: "'none' fails the task on the first error; 'all' skips problematic records.",
                group: errorGroup, orderInGroup: 3, width: .short, displayName: "Error Tolerance")
        .define(errorsLogEnable, .boolean, defaultValue: .boolean(false), importance: .medium,
                documentation: "Whether every error, tolerated or not, is written to the worker log.",
                group: errorGroup, orderInGroup: 4, width: .short, displayName: "Log Errors")
        .define(errorsLogIncludeMessages, .boolean, defaultValue: .boolean(false), importance: .medium,
                documentation: "Whether logged errors include the record that caused them (keys, values and headers).",
                group: errorGroup, orderInGroup: 5, width: .short, displayName: "Log Error Details")

    /// Non-null lists without repeated aliases.
    private static func uniqueAliases(_ kind: String) -> ConfigValidator {
        let unique = ConfigValidator(description: "unique \(kind) aliases") { name, value throws(ConfigException) in
            if case .list(let aliases)? = value, Set(aliases).count < aliases.count {
                throw ConfigException(name: name, value: JavaCompat.listString(aliases), reason: "Duplicate alias provided.")
            }
        }
        return .composite(.nonNull, unique)
    }
}
