import Foundation

/// Best and median per variant, and each variant against the ceiling (`rdkafka`).
struct Report {
    let settings: BenchSettings
    let results: [RunResult]

    struct Summary {
        var variant: Variant
        var runs: Int
        /// Steady records per second (second half of the records).
        var bestRate: Double
        var medianRate: Double
        /// Records per second from the variant's start (for MirrorSource: `POST /connectors`).
        var medianRateFromStart: Double
        /// Seconds from the start to the first record on the target topic.
        var medianStartLatency: Double
        var medianCPUMicrosecondsPerRecord: Double
        var medianNetCPUMicrosecondsPerRecord: Double
        var medianBrokerCPUMicrosecondsPerRecord: Double
        /// Over the second half of the records (see ``RunResult/steadyCPU``).
        var medianSteadyCopierMicrosecondsPerRecord: Double
        var medianSteadyBrokerMicrosecondsPerRecord: Double
        var medianSteadyBusyCores: Double
    }

    var summaries: [Summary] {
        var seen: [Variant] = []
        for result in results where !seen.contains(result.variant) { seen.append(result.variant) }
        return seen.map { variant in
            let runs = results.filter { $0.variant == variant }
            return Summary(
                variant: variant, runs: runs.count,
                bestRate: runs.map(\.steadyRate).max() ?? .nan,
                medianRate: median(runs.map(\.steadyRate)),
                medianRateFromStart: median(runs.map(\.rateFromStart)),
                medianStartLatency: median(runs.map(\.startLatency.seconds)),
                medianCPUMicrosecondsPerRecord: median(runs.map(\.cpuMicrosecondsPerRecord)),
                medianNetCPUMicrosecondsPerRecord: median(runs.map(\.netCPUMicrosecondsPerRecord)),
                medianBrokerCPUMicrosecondsPerRecord: median(runs.map(\.brokerCPUMicrosecondsPerRecord)),
                medianSteadyCopierMicrosecondsPerRecord: median(runs.map(\.steadyCopierMicrosecondsPerRecord)),
                medianSteadyBrokerMicrosecondsPerRecord: median(runs.map(\.steadyBrokerMicrosecondsPerRecord)),
                medianSteadyBusyCores: median(runs.map(\.steadyBusyCores)))
        }
    }

    /// Per variant, its steady rate in each round divided by the same round's `rdkafka` run:
    /// both ran minutes apart on the same brokers, so this pairs away most of the drift between
    /// rounds that the ratio of medians keeps.
    var roundRatios: [(variant: Variant, ratios: [Double])] {
        let ceilings = Dictionary(results.filter { $0.variant == .rdkafka }.map { ($0.round, $0.steadyRate) }) { first, _ in first }
        return summaries.map(\.variant).filter { $0 != .rdkafka }.map { variant in
            (variant, results.filter { $0.variant == variant }.compactMap { run in
                ceilings[run.round].map { run.steadyRate / $0 }
            })
        }
    }

    func table() -> String {
        let summaries = summaries
        let megabytes = Double(settings.valueSize) / 1e6
        let ceiling = summaries.first { $0.variant == .rdkafka }
        let ceilingX2 = summaries.first { $0.variant == .rdkafkaX2 }
        func ratio(_ summary: Summary, _ base: Summary?) -> String {
            base.map { String(format: "%.2fx", summary.medianRate / $0.medianRate) } ?? "-"
        }
        var lines = [
            "",
            "\(settings.records) records x \(settings.valueSize) B values, \(settings.partitions) partitions, "
                + "\(settings.rounds) round(s). Steady = second half of the records; MB/s counts value bytes.",
            pad("variant", 13) + pad("best rec/s", 12, right: true) + pad("median rec/s", 14, right: true)
                + pad("median MB/s", 13, right: true) + pad("vs rdkafka", 12, right: true)
                + pad("vs rdkafka-x2", 15, right: true) + pad("from start rec/s", 18, right: true)
                + pad("first record", 14, right: true) + pad("CPU µs/rec", 12, right: true) + pad("net", 7, right: true)
                + pad("brokers", 9, right: true),
        ]
        for summary in summaries {
            lines.append(
                pad(summary.variant.rawValue, 13)
                    + pad(String(format: "%.0f", summary.bestRate), 12, right: true)
                    + pad(String(format: "%.0f", summary.medianRate), 14, right: true)
                    + pad(String(format: "%.1f", summary.medianRate * megabytes), 13, right: true)
                    + pad(ratio(summary, ceiling), 12, right: true)
                    + pad(ratio(summary, ceilingX2), 15, right: true)
                    + pad(String(format: "%.0f", summary.medianRateFromStart), 18, right: true)
                    + pad(String(format: "%.2f s", summary.medianStartLatency), 14, right: true)
                    + pad(String(format: "%.2f", summary.medianCPUMicrosecondsPerRecord), 12, right: true)
                    + pad(summary.variant.isMirror ? String(format: "%.2f", summary.medianNetCPUMicrosecondsPerRecord) : "-", 7, right: true)
                    + pad(String(format: "%.2f", summary.medianBrokerCPUMicrosecondsPerRecord), 9, right: true))
        }
        lines.append("Steady half (medians): " + summaries.map { summary in
            String(format: "%@ %.2f µs CPU/record (brokers %.2f, %.2f cores busy)", summary.variant.rawValue,
                   summary.medianSteadyCopierMicrosecondsPerRecord, summary.medianSteadyBrokerMicrosecondsPerRecord,
                   summary.medianSteadyBusyCores)
        }.joined(separator: ", "))
        let paired = roundRatios.filter { !$0.ratios.isEmpty }
        if !paired.isEmpty {
            lines.append("Per round, vs that round's rdkafka run (median, lowest-highest): " + paired.map { entry in
                String(format: "%@ %.2fx (%.2f-%.2f)", entry.variant.rawValue, median(entry.ratios),
                       entry.ratios.min() ?? .nan, entry.ratios.max() ?? .nan)
            }.joined(separator: ", "))
        }
        lines.append("Ratios compare medians of the steady rate. \"from start\" and \"first record\" (medians) include "
            + "start-up: client metadata, and for mirror-N the connector, its tasks and the target topic's creation.\n"
            + "CPU µs/rec: CPU time of the copying process (this tool for the loops, connect-worker for mirror-N) per record; "
            + "net: without the worker's own librdkafka clients (its stores), which the copy does not use; "
            + "brokers: CPU time of both noida-db brokers per record over the whole run (each run's target topic is deleted after it).\n"
            + "Steady half: the same CPU times over the second half of the records only, and the machine's busy cores then "
            + "(near the core count: the run was bound by CPU, and the rate follows the CPU every record costs).")
        return lines.joined(separator: "\n")
    }

    func json() throws -> Data {
        let ratiosByVariant = Dictionary(roundRatios.map { ($0.variant, $0.ratios) }) { first, _ in first }
        let object: [String: Any] = [
            "records": settings.records, "valueSize": settings.valueSize, "partitions": settings.partitions,
            "rounds": settings.rounds,
            "runs": results.map { result -> [String: Any] in
                [
                    "variant": result.variant.rawValue, "round": result.round,
                    "steadyRecordsPerSecond": result.steadyRate, "recordsPerSecondFromStart": result.rateFromStart,
                    "secondHalfSeconds": result.secondHalf.seconds, "totalSeconds": result.total.seconds,
                    "firstRecordSeconds": result.startLatency.seconds, "settledRecords": result.settledRecords,
                    "cpuSeconds": result.cpuSeconds, "workerClientCPUSeconds": result.workerClientCPUSeconds,
                    "brokerCPUSeconds": result.brokerCPUSeconds,
                    "steadyCopierCPUSeconds": result.steadyCPU.copier, "steadyBrokerCPUSeconds": result.steadyCPU.brokers,
                    "steadyMachineBusyCores": result.steadyBusyCores,
                ]
            },
            "summary": summaries.map { summary -> [String: Any] in
                let paired = ratiosByVariant[summary.variant] ?? []
                var entry: [String: Any] = [
                    "variant": summary.variant.rawValue, "runs": summary.runs,
                    "bestRecordsPerSecond": summary.bestRate, "medianRecordsPerSecond": summary.medianRate,
                    "medianMegabytesPerSecond": summary.medianRate * Double(settings.valueSize) / 1e6,
                    "medianRecordsPerSecondFromStart": summary.medianRateFromStart,
                    "medianFirstRecordSeconds": summary.medianStartLatency,
                    "medianCPUMicrosecondsPerRecord": summary.medianCPUMicrosecondsPerRecord,
                    "medianBrokerCPUMicrosecondsPerRecord": summary.medianBrokerCPUMicrosecondsPerRecord,
                    "medianSteadyCPUMicrosecondsPerRecord": summary.medianSteadyCopierMicrosecondsPerRecord,
                    "medianSteadyBrokerCPUMicrosecondsPerRecord": summary.medianSteadyBrokerMicrosecondsPerRecord,
                    "medianSteadyMachineBusyCores": summary.medianSteadyBusyCores,
                ]
                if !paired.isEmpty { entry["medianRoundRatioToRdkafka"] = median(paired) }
                return entry
            },
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else { return text + " " }
        let padding = String(repeating: " ", count: width - text.count)
        return right ? padding + text : text + padding
    }
}
