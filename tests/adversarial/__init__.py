"""Adversarial tests of the multi form: each one shows a break (failing now) or guards a fix."""
