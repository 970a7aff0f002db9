package io.github.bluegreen.bench.bigapp;

import java.util.List;
import org.springframework.boot.CommandLineRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** /owners: a Thymeleaf page from the database (a cached query), as petclinic's pages are. */
@Controller
public class OwnerController {
    private final OwnerRepository owners;

    public OwnerController(OwnerRepository owners) {
        this.owners = owners;
    }

    @GetMapping("/owners")
    public String list(Model model) {
        model.addAttribute("owners", names());
        return "owners";
    }

    @Cacheable("owners")
    public List<String> names() {
        return owners.findAll().stream().map(Owner::getName).toList();
    }

    @Configuration
    static class Seed {
        @Bean
        CommandLineRunner seed(OwnerRepository owners) {
            return args -> owners.saveAll(List.of(new Owner("George Franklin"), new Owner("Betty Davis")));
        }
    }
}
