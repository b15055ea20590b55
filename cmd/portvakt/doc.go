// Command portvakt is the broker: `portvakt dev` runs everything locally with
// simulated eIDs; `portvakt serve --config FILE` runs it in production.
package main
