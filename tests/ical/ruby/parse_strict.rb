# Parse a feed from stdin with Debian's ruby-icalendar in strict mode and print what it read as JSON.
# Strict: an unknown property or a malformed value raises instead of being kept as a custom one.
require "stringio"
require "json"
require "icalendar"

text = $stdin.read.force_encoding("UTF-8")
calendars = Icalendar::Parser.new(text, true).parse
raise "expected one calendar, got #{calendars.size}" unless calendars.size == 1

calendar = calendars.first
items = (calendar.events + calendar.todos).map do |item|
  {
    "component" => item.ical_name,
    "uid" => item.uid.to_s,
    "summary" => item.summary.to_s,
    "description" => item.description.to_s,
    "categories" => item.categories.flat_map { |c| c.respond_to?(:to_a) ? c.to_a.map(&:to_s) : [c.to_s] },
    "sequence" => item.sequence.to_i,
    "status" => item.status.to_s,
    "triggers" => item.alarms.map { |a| a.trigger.value_ical.to_s },
  }
end
puts JSON.generate({
  "name" => calendar.x_wr_calname.first.to_s,
  "timezones" => calendar.timezones.map { |tz| tz.tzid.to_s },
  "items" => items,
})
