// A real Pusher-protocol client (pusher-js, optionally behind Laravel Echo) driven by the
// Python tests: JSON commands on stdin, one per line; JSON events on stdout, one per line.
//
//   node client.mjs '{"lib":"echo","host":"127.0.0.1","port":8000,"key":"…","token":"…"}'
//
// Commands: {"op":"channel"|"private"|"join","channel":"name"} (Echo names, without prefixes;
// with lib "pusher", "subscribe" takes the full name), {"op":"listen","channel","event"},
// {"op":"whisper","channel","event","data"}, {"op":"listenForWhisper","channel","event"},
// {"op":"trigger","channel","event","data"} (pusher-js client event), {"op":"bind","channel",
// "event"} (pusher-js, with the event's metadata; answers "binding"), {"op":"leave","channel"},
// {"op":"disconnect"}.
import readline from 'node:readline';
import Pusher from 'pusher-js';
import Echo from 'laravel-echo';

const options = JSON.parse(process.argv[2]);
const out = (message) => process.stdout.write(JSON.stringify(message) + '\n');

const pusherOptions = {
  cluster: 'mt1',
  wsHost: options.host,
  wsPort: options.port,
  wssPort: options.port,
  forceTLS: false,
  enabledTransports: ['ws'],
  disableStats: true,
  activityTimeout: options.activityTimeout ?? 120000,
  authEndpoint: `http://${options.host}:${options.port}/broadcasting/auth`,
  auth: { headers: options.token ? { Authorization: `Bearer ${options.token}` } : {} },
};

let pusher;
let echo;
if (options.lib === 'echo') {
  echo = new Echo({ broadcaster: 'pusher', key: options.key, Pusher, ...pusherOptions });
  pusher = echo.connector.pusher;
} else {
  pusher = new Pusher(options.key, pusherOptions);
}

pusher.connection.bind('state_change', (states) => out({ type: 'state', state: states.current }));
pusher.connection.bind('connected', () =>
  out({ type: 'connected', socket_id: pusher.connection.socket_id }),
);
pusher.connection.bind('error', (error) =>
  out({ type: 'connection_error', error: error?.data ?? error?.error ?? String(error) }),
);

const watch = (channel, name) => {
  channel.bind('pusher:subscription_succeeded', (members) =>
    out({
      type: 'subscribed',
      channel: name,
      members: members && members.members ? members.members : null,
      me: members && members.me ? members.me.id : null,
    }),
  );
  channel.bind('pusher:subscription_error', (error) =>
    out({ type: 'subscription_error', channel: name, error }),
  );
  channel.bind_global((event, data) => {
    if (!event.startsWith('pusher')) out({ type: 'event', channel: name, event, data });
  });
};

const echoChannels = {};
const fullName = (op, name) => (op === 'private' ? `private-${name}` : op === 'join' ? `presence-${name}` : name);

function run(command) {
  const { op } = command;
  if (op === 'subscribe') {
    watch(pusher.subscribe(command.channel), command.channel);
  } else if (op === 'channel' || op === 'private' || op === 'join') {
    const channel = echo[op](command.channel);
    echoChannels[command.channel] = channel;
    const name = fullName(op, command.channel);
    channel.error((error) => out({ type: 'subscription_error', channel: name, error }));
    if (op === 'join') {
      channel
        .here((members) => out({ type: 'here', channel: name, members }))
        .joining((member) => out({ type: 'joining', channel: name, member }))
        .leaving((member) => out({ type: 'leaving', channel: name, member }));
    } else {
      channel.subscribed(() => out({ type: 'subscribed', channel: name }));
    }
  } else if (op === 'listen') {
    echoChannels[command.channel].listen(command.event, (data) =>
      out({ type: 'event', channel: command.channel, event: command.event, data }),
    );
  } else if (op === 'listenForWhisper') {
    echoChannels[command.channel].listenForWhisper(command.event, (data) =>
      out({ type: 'whisper', channel: command.channel, event: command.event, data }),
    );
    // Say so: a whisper sent before the listener exists is dropped by the client, by design.
    out({ type: 'listening', channel: command.channel, event: command.event });
  } else if (op === 'whisper') {
    echoChannels[command.channel].whisper(command.event, command.data);
  } else if (op === 'bind') {
    pusher.channel(command.channel).bind(command.event, (data, metadata) =>
      out({ type: 'bound', channel: command.channel, event: command.event, data, metadata }),
    );
    // Say so: an event that arrives before the binding goes to the global handler only.
    out({ type: 'binding', channel: command.channel, event: command.event });
  } else if (op === 'trigger') {
    const ok = pusher.channel(command.channel).trigger(command.event, command.data);
    out({ type: 'triggered', ok });
  } else if (op === 'leave') {
    if (echo) echo.leave(command.channel);
    else pusher.unsubscribe(command.channel);
  } else if (op === 'disconnect') {
    pusher.disconnect();
    setTimeout(() => process.exit(0), 50);
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  try {
    run(JSON.parse(line));
  } catch (error) {
    out({ type: 'client_error', error: String(error) });
  }
});
lines.on('close', () => {
  pusher.disconnect();
  setTimeout(() => process.exit(0), 50);
});
