// Runs before every test file: tests never talk to the network, and logs stay quiet.
process.env.TZ = "UTC";
