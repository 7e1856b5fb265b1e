"""The audit: independent readers per output kind and the disclaimer proof."""
