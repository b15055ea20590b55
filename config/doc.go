// Package config owns the broker's configuration file: its types, the expansion of
// ${VAR} references from the environment (so secrets stay out of the file), and the
// validation that reports every problem at once.
package config
