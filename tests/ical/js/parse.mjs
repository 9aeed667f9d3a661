// Parse an iCalendar feed from stdin with Mozilla's ical.js (Thunderbird's parser)
// and print what a client would see as JSON. Used by tests/ical/test_parsers.py.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const root = new ICAL.Component(ICAL.parse(text));

function value(comp, name) {
  const prop = comp.getFirstProperty(name);
  if (!prop) return null;
  const v = prop.getFirstValue();
  return v && typeof v === "object" && "toString" in v ? v.toString() : v;
}

// Every TZID parameter anywhere, to check each has its VTIMEZONE.
const usedTzids = new Set();
(function walk(comp) {
  for (const prop of comp.getAllProperties()) {
    const tzid = prop.getParameter("tzid");
    if (tzid) usedTzids.add(tzid);
  }
  comp.getAllSubcomponents().forEach(walk);
})(root);

function alarmsOf(comp) {
  const start = comp.getFirstPropertyValue("dtstart");
  const end = comp.getFirstPropertyValue(comp.name === "vtodo" ? "due" : "dtend");
  return comp.getAllSubcomponents("valarm").map((alarm) => {
    const prop = alarm.getFirstProperty("trigger");
    const trigger = prop.getFirstValue();
    const related = prop.getParameter("related") || "START";
    const anchor = (related === "END" ? end : start).clone();
    anchor.isDate = false; // all-day anchors count from local midnight
    anchor.addDuration(trigger);
    return {
      action: value(alarm, "action"),
      description: value(alarm, "description"),
      trigger: trigger.toString(),
      related,
      fires: anchor.toString(),
    };
  });
}

const items = root
  .getAllSubcomponents()
  .filter((c) => c.name === "vevent" || c.name === "vtodo")
  .map((comp) => {
    const start = comp.getFirstPropertyValue("dtstart");
    const out = {
      component: comp.name.toUpperCase(),
      uid: value(comp, "uid"),
      summary: value(comp, "summary"),
      description: value(comp, "description"),
      dtstart: start ? start.toString() : null,
      dtend: value(comp, "dtend"),
      due: value(comp, "due"),
      isDate: start ? start.isDate : null,
      dtstamp: value(comp, "dtstamp"),
      lastModified: value(comp, "last-modified"),
      created: value(comp, "created"),
      completed: value(comp, "completed"),
      percentComplete: value(comp, "percent-complete"),
      sequence: value(comp, "sequence"),
      status: value(comp, "status"),
      transp: value(comp, "transp"),
      url: value(comp, "url"),
      categories: comp.getAllProperties("categories").flatMap((p) => p.getValues()),
      alarms: alarmsOf(comp),
    };
    if (comp.name === "vevent") {
      const event = new ICAL.Event(comp);
      out.duration = event.duration.toString();
    }
    return out;
  });

const props = {};
for (const prop of root.getAllProperties()) {
  props[prop.name] = { value: String(prop.getFirstValue()), type: prop.type, params: prop.toJSON()[1] };
}

process.stdout.write(
  JSON.stringify({
    properties: props,
    timezones: root.getAllSubcomponents("vtimezone").map((c) => value(c, "tzid")),
    usedTzids: [...usedTzids].sort(),
    items,
  }),
);
