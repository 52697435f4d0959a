/// Firmware versions per NIC model across the report's hosts, drawn as one stacked bar per model
/// (inline SVG): the most common version in green, every other version in a warning colour, so a
/// board left behind on an old firmware stands out at a glance.
struct FirmwareSpread {
    struct Model {
        var key: String
        var name: String
        /// (version, PF count), most common first.
        var versions: [(version: String, count: Int)]
        var total: Int
        /// PFs not on the most common version.
        var outliers: [(host: String, bdf: String, version: String)]
    }

    let models: [Model]

    init(_ report: AuditReport) {
        var names: [String: String] = [:]
        var counts: [String: [String: Int]] = [:]
        var members: [String: [(host: String, bdf: String, version: String)]] = [:]
        for host in report.hosts {
            for pf in host.physicalFunctions {
                let version = pf.firmwareVersion ?? "(not reported)"
                names[pf.model] = pf.modelName
                counts[pf.model, default: [:]][version, default: 0] += 1
                members[pf.model, default: []].append((host.name, pf.bdf, version))
            }
        }
        models = counts.keys.sorted().map { key in
            let versions = (counts[key] ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { (version: $0.key, count: $0.value) }
            let baseline = versions.first?.version
            return Model(key: key, name: names[key] ?? key, versions: versions, total: versions.reduce(0) { $0 + $1.count },
                         outliers: (members[key] ?? []).filter { $0.version != baseline })
        }
    }

    /// The chart; at most `maxSegments` versions per model are drawn, the rest summed as "other".
    func svg(width: Int = 900, maxSegments: Int = 6) -> String {
        let rowHeight = 46
        let labelWidth = 320
        let barWidth = width - labelWidth - 20
        let height = max(1, models.count) * rowHeight + 30
        let palette = ["#d9822b", "#c23030", "#8f398f", "#2965cc", "#5c7080"]
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Firmware versions per NIC model\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<title>Firmware versions per NIC model</title>\n"
        if models.isEmpty {
            svg += "<text x=\"10\" y=\"20\">No SR-IOV physical functions in this report.</text>\n"
        }
        for (row, model) in models.enumerated() {
            let y = 10 + row * rowHeight
            svg += "<text x=\"0\" y=\"\(y + 14)\" font-weight=\"bold\">\(truncate(model.name, 40).markupEscaped)</text>\n"
            svg += "<text x=\"0\" y=\"\(y + 30)\" fill=\"#5c7080\">\(model.key.markupEscaped) · \(model.total) PF(s) · \(model.versions.count) version(s)</text>\n"
            var segments = Array(model.versions.prefix(maxSegments))
            if model.versions.count > maxSegments {
                segments.append((version: "other", count: model.versions.dropFirst(maxSegments).reduce(0) { $0 + $1.count }))
            }
            var x = Double(labelWidth)
            for (index, segment) in segments.enumerated() {
                let w = Double(barWidth) * Double(segment.count) / Double(max(1, model.total))
                let colour = index == 0 ? "#0f9960" : palette[(index - 1) % palette.count]
                let tooltip = "\(segment.version): \(segment.count) PF(s)\(index == 0 ? " (baseline)" : "")"
                svg += "<rect class=\"fw-segment\" x=\"\(fmt(x))\" y=\"\(y + 4)\" width=\"\(fmt(max(w, 2)))\" height=\"28\" fill=\"\(colour)\" stroke=\"#fff\"><title>\(tooltip.markupEscaped)</title></rect>\n"
                if w > 60 {
                    svg += "<text x=\"\(fmt(x + 4))\" y=\"\(y + 22)\" fill=\"#fff\">\(truncate("\(segment.version) (\(segment.count))", Int(w / 7)).markupEscaped)</text>\n"
                }
                x += w
            }
        }
        return svg + "</svg>\n"
    }

    private func fmt(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }

    private func truncate(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }
}
