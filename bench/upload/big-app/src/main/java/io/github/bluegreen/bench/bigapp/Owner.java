package io.github.bluegreen.bench.bigapp;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.validation.constraints.NotBlank;

/** A little of petclinic: an entity, so that JPA, Hibernate and H2 really start. */
@Entity
public class Owner {
    @Id
    @GeneratedValue
    private Long id;

    @NotBlank
    private String name;

    protected Owner() {}

    public Owner(String name) {
        this.name = name;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }
}
