import ConnectAPI
import Testing

@testable import ConnectRuntime

/// What a connector config may ask for: `tasks.max` enforcement (KIP-1004).
@Suite struct ConnectorConfigLimitsTests {
    // MARK: tasks.max.enforce

    @Test func tooManyTasksFailOnlyWhenEnforced() throws {
        let config = ["tasks.max": "2"]
        #expect(try TooManyTasksError.check("c", taskCount: 2, connectorConfig: config) == false)
        #expect(throws: TooManyTasksError(connector: "c", taskCount: 3, maxTasks: 2)) {
            try TooManyTasksError.check("c", taskCount: 3, connectorConfig: config)
        }
        #expect(try TooManyTasksError.check("c", taskCount: 3, connectorConfig: config.merging(["tasks.max.enforce": "false"]) { _, b in b }))
        // tasks.max defaults to 1.
        #expect(throws: TooManyTasksError.self) { try TooManyTasksError.check("c", taskCount: 2, connectorConfig: [:]) }
        #expect(TooManyTasksError(connector: "c", taskCount: 3, maxTasks: 2).description
            .hasPrefix("The connector c has generated 3 tasks, which is greater than 2, the maximum number of tasks it is configured to create."))
    }
}
