# Variables the real stack does not have; all start with sandbox_.

variable "sandbox_delay_seconds" {
  type        = number
  description = "Sandbox only: seconds the apply of this stand-in takes, to imitate the real stack in benchmarks. 0 adds no delay."
  default     = 0

  validation {
    condition     = var.sandbox_delay_seconds >= 0 && var.sandbox_delay_seconds <= 3600
    error_message = "sandbox_delay_seconds must be from 0 to 3600."
  }
}
